import { KernelError } from '../KernelError.js';

/** A link's bandwidth reservation: the rate it may keep up, and how much it may send at once above it. */
export interface BandwidthReservation {
  readonly bytesPerSecond: number;
  /** The bucket's size: bytes that may leave back to back after a quiet spell; at least the largest message. */
  readonly burstBytes: number;
}

/**
 * A token bucket over a clock the caller reads: tokens (bytes) accrue at the reserved rate up
 * to the burst, and a send takes its size in tokens or is refused whole. The caller passes the
 * time in, in milliseconds, so a test decides what time it is instead of sleeping.
 */
export class TokenBucket {
  readonly reservation: BandwidthReservation;
  #tokens: number;
  #at: number;

  /** Starts full at `now`: a link may send its burst as soon as it is up. */
  constructor(reservation: BandwidthReservation, now: number) {
    for (const name of ['bytesPerSecond', 'burstBytes'] as const) {
      const value: unknown = reservation[name];
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new KernelError('stream.reservation', `a stream's reservation ${name} is a positive number of bytes, not ${String(value)}`, { data: { [name]: value } });
      }
    }
    this.reservation = reservation;
    this.#tokens = reservation.burstBytes;
    this.#at = now;
  }

  /** Tokens available at `now`. */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Takes `bytes` tokens at `now` and answers true, or takes none and answers false. */
  take(bytes: number, now: number): boolean {
    this.#refill(now);
    if (this.#tokens < bytes) return false;
    this.#tokens -= bytes;
    return true;
  }

  /** Milliseconds from `now` until `bytes` tokens will be there (0 when they are; Infinity when they never will be, past the burst). */
  msUntil(bytes: number, now: number): number {
    if (bytes > this.reservation.burstBytes) return Infinity;
    const missing = bytes - this.tokens(now);
    return missing <= 0 ? 0 : (missing * 1000) / this.reservation.bytesPerSecond;
  }

  #refill(now: number): void {
    // A clock that steps back (a test's, or a board's wall clock corrected) adds nothing.
    if (now <= this.#at) return;
    this.#tokens = Math.min(this.reservation.burstBytes, this.#tokens + ((now - this.#at) * this.reservation.bytesPerSecond) / 1000);
    this.#at = now;
  }
}
