import type { KernelChannel } from '../host/KernelChannels.js';

/**
 * One end of a stream circuit: a KernelChannel the host's `channel` module can use as it is,
 * plus what a producer outside the host needs to follow the flow control rather than poll.
 * Both the in-board ring pair (RingChannel) and the link between boards (StreamLink) are one.
 */
export interface StreamChannel extends KernelChannel {
  /**
   * Resolves once a message of `bytes` (default 1) would be taken: the other side has made
   * room (ring space, link credit, the bandwidth reservation's tokens) and, for a link, it is
   * connected. Rejects with `stream.closed` once the circuit is closed for good (this end
   * closed it; for a ring, either end did), so a producer looping on send and writable stops
   * instead of spinning.
   */
  writable(bytes?: number): Promise<void>;
  /** Closes this end: later sends from either end answer unavailable. */
  close(): void;
}
