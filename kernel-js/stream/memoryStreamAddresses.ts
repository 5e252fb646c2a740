/** A TCP address: where a stream listener listens, or what a device end dials. */
export interface StreamHostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * How the boards of one process find each other's stream listeners when they cannot listen
 * on their planned circuit addresses: the simulator's boards listen on loopback ports the
 * system chooses, so two simulated buildings (or two test runs) never contend for a port,
 * and a device end asks here, at every dial, where the app end it was planned to reach
 * listens now.
 */
export interface StreamAddressBook {
  /** Where an app end planned at `planned` (HOST:PORT) listens instead. */
  listenOn(planned: string): StreamHostPort;
  /** The app end planned at `planned` listens at `actual` now. */
  listening(planned: string, actual: StreamHostPort): void;
  /** It stopped listening (its board stopped or restarts). */
  closed(planned: string): void;
  /** Where to dial the app end planned at `planned`; undefined while it does not listen. */
  resolve(planned: string): StreamHostPort | undefined;
}

/** An address book for boards in this process: every listener on loopback, on a free port. */
export function memoryStreamAddresses(): StreamAddressBook {
  const actual = new Map<string, StreamHostPort>();
  return {
    listenOn: () => ({ host: '127.0.0.1', port: 0 }),
    listening: (planned, at) => actual.set(planned, at),
    closed: (planned) => actual.delete(planned),
    resolve: (planned) => actual.get(planned),
  };
}
