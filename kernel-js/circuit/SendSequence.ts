/** Milliseconds since the epoch, fractions allowed: `Date.now` unless a test gives its own. */
export type CircuitClock = () => number;

/** A clock reading as a sequence: whole microseconds since the epoch. */
export function clockSequence(clock: CircuitClock): bigint {
  return BigInt(Math.max(0, Math.floor(clock() * 1000)));
}

/**
 * A sender's sequence numbers: each is the larger of the last one plus one and the clock in
 * microseconds. Nothing is saved, yet they keep rising across the sender's reboots, since a
 * reboot takes longer than a microsecond; so the receiver's window refuses old datagrams
 * without either side remembering anything and without a handshake. The sequence also serves
 * as the AEAD nonce, so it must never repeat under one key: a board whose clock steps back
 * across a reboot would repeat sequences (docs/circuits.md).
 */
export class SendSequence {
  readonly #clock: CircuitClock;
  #last = -1n;

  constructor(clock: CircuitClock = Date.now) {
    this.#clock = clock;
  }

  /** The sequence of the next datagram. */
  next(): bigint {
    const now = clockSequence(this.#clock);
    this.#last = now > this.#last ? now : this.#last + 1n;
    return this.#last;
  }
}
