/**
 * PCM as the audio class carries it: signed 16-bit samples, channels interleaved, at the
 * device's rate. A frame is one sample per channel, so a buffer's length is a whole number of
 * frames (a multiple of `channels`).
 */
export interface AudioFormat {
  readonly rate: number;
  readonly channels: number;
}

/** The one interface of a microphone (driver audio-in). */
export interface AudioIn extends AudioFormat {
  /** Starts capturing: listeners get PCM as it arrives. Starting twice is harmless. */
  start(): void;
  /** Stops capturing; nothing arrives until the next start. */
  stop(): void;
  onFrames(listener: (pcm: Int16Array) => void): () => void;
  /** Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): void;
}

/** The one interface of a speaker (driver audio-out). */
export interface AudioOut extends AudioFormat {
  /** Queues PCM for playing; refused with `driver.bad-frame` unless whole frames. */
  write(pcm: Int16Array): void;
  /**
   * Present only on a directional (tight-beam) speaker: points what it plays next at one
   * person (a pseudonymous presence handle), or back at no one in particular (null). A
   * speaker without it cannot keep a message to one person, so a host never plays it
   * something meant for one.
   */
  readonly aim?: (person: number | null) => void;
  /** Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): void;
}
