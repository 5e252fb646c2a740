/** What one side of a throughput run reports: bytes it carried, over how long, and the CPU its process spent. */
export interface StreamRun {
  readonly bytes: number;
  readonly records: number;
  /** From the first record to the last, at the consumer. */
  readonly ms: number;
  /** CPU microseconds (user and system) of the process over the run. */
  readonly cpuMicros: number;
}

/** Which transport a run measures: the in-board ring, the link between boards, or the plain TCP baseline. */
export type StreamTransport = 'ring' | 'link' | 'tcp';

/** The message that ends a run: one byte, shorter than any record measured. */
export const endMarker = Uint8Array.of(0xee);

/** The test key both processes of a link run share (bench only: a real circuit's comes from its board's configuration). */
export const benchCircuit = 'bench@streams/audio';

/** The CPU microseconds since `start`. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}
