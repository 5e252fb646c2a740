/** What a circuit's sending side answers: taken, full (try again later), or the peer is not reachable. */
export type ChannelSendResult = 'ok' | 'busy' | 'unavailable';

/**
 * One end of a circuit to another board, as the host needs it. Whatever carries it (the
 * planner's control datagrams or stream ring buffers, an in-process pair for the simulator)
 * hides behind this.
 */
export interface KernelChannel {
  /** The largest message the circuit carries, in bytes; the host answers TooLarge past it without calling send. */
  readonly maxMessageBytes: number;
  /** Sends one message (the channel keeps no reference to `message` after it returns). */
  send(message: Uint8Array): ChannelSendResult;
  /** Calls `listener` with each message that arrives, oldest first. Returns a function that stops it. */
  onMessage(listener: (message: Uint8Array) => void): () => void;
}

/** The circuits of a board, by the name the configuration gives them. */
export interface KernelChannels {
  /** The end of the circuit with this name, undefined when the plan has none. */
  open(name: string): KernelChannel | undefined;
}
