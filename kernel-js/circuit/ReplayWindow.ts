import { KernelError } from '../KernelError.js';

/**
 * The sequences a receiver has taken, as IPsec keeps them: the highest one, and a bitmap of
 * the `size` sequences just below it. A sequence above the highest is new; one inside the
 * window is new once; one below the window is refused, since the window no longer says
 * whether it was seen. Sequences are time-based (microseconds), so the window tolerates
 * reordering among datagrams sent within `size` microseconds of each other, or among `size`
 * sent in a burst; a control action reordered further than that is one the newer action has
 * overtaken anyway.
 */
export class ReplayWindow {
  readonly size: number;
  #highest: bigint | undefined;
  // Bit i set: highest - i was taken.
  #seen = 0n;
  readonly #mask: bigint;

  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 1 || size > 4096) {
      throw new KernelError('circuit.bad-option', `a replay window holds 1 to 4096 sequences, not ${size}`, { data: { replayWindow: size } });
    }
    this.size = size;
    this.#mask = (1n << BigInt(size)) - 1n;
  }

  /** The highest sequence taken so far, undefined before the first. */
  get highest(): bigint | undefined {
    return this.#highest;
  }

  /** Whether `sequence` would be new; changes nothing, so a forged datagram cannot move the window. */
  isNew(sequence: bigint): boolean {
    if (this.#highest === undefined || sequence > this.#highest) return true;
    const below = this.#highest - sequence;
    if (below >= BigInt(this.size)) return false;
    return ((this.#seen >> below) & 1n) === 0n;
  }

  /** Records `sequence` as taken; call it only for a datagram that authenticated and isNew. */
  take(sequence: bigint): void {
    if (this.#highest === undefined) {
      this.#highest = sequence;
      this.#seen = 1n;
    } else if (sequence > this.#highest) {
      const shift = sequence - this.#highest;
      this.#seen = shift >= BigInt(this.size) ? 1n : ((this.#seen << shift) | 1n) & this.#mask;
      this.#highest = sequence;
    } else {
      this.#seen |= 1n << (this.#highest - sequence);
    }
  }
}
