// Time and timers. Imported as one namespace (`clock.now()`, `clock.after(500)`), with Timer
// also exported on its own, as in the AssemblyScript SDK.
import type { Status } from './codes.js';
import { clock_cancelTimer, clock_monotonic, clock_now, clock_setTimer, clock_utcOffset } from './host.js';

/** A timer: Timer events carry its id as their source. */
export class Timer {
  /** The timer's id, or a negative Status when it could not be set. */
  readonly id: number;

  constructor(id: number) {
    this.id = id;
  }

  /** Whether an event's `source` is this timer. */
  is(source: number): boolean {
    return this.id >= 0 && source === this.id;
  }

  /** Stops the timer; Status.NotFound when it already fired for the last time. */
  cancel(): Status {
    return this.id < 0 ? this.id : clock_cancelTimer(this.id);
  }
}

/** Milliseconds since 1970-01-01T00:00:00Z. */
export function now(): number { return clock_now(); }
/** Milliseconds since the unikernel started; for measuring intervals, it never goes back. */
export function monotonic(): number { return clock_monotonic(); }
/** Minutes to add to UTC for the building's local time now. */
export function utcOffset(): number { return clock_utcOffset(); }

/** Minutes since local midnight, 0 to 1439. */
export function localMinuteOfDay(): number {
  const local = now() + utcOffset() * 60_000;
  const minutes = Math.floor(local / 60_000) % 1440;
  return minutes < 0 ? minutes + 1440 : minutes;
}

/** The local hour, 0 to 23. */
export function localHour(): number { return Math.floor(localMinuteOfDay() / 60); }

/** A Timer event once, after `ms` milliseconds. */
export function after(ms: number): Timer { return new Timer(clock_setTimer(ms, 0)); }

/** A Timer event every `ms` milliseconds, the first after `ms`. */
export function every(ms: number): Timer { return new Timer(clock_setTimer(ms, ms)); }
