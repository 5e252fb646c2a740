import { Status } from "./codes";
import { clock_cancelTimer, clock_monotonic, clock_now, clock_setTimer, clock_utcOffset } from "./host";

/** A timer: Timer events carry its id as their source. */
export class Timer {
  /** The timer's id, or a negative Status when it could not be set. */
  readonly id: i32;

  constructor(id: i32) {
    this.id = id;
  }

  /** Whether an event's `source` is this timer. */
  is(source: i32): bool {
    return this.id >= 0 && source == this.id;
  }

  cancel(): Status {
    return this.id < 0 ? this.id : clock_cancelTimer(this.id);
  }
}

export namespace clock {
  /** Milliseconds since 1970-01-01T00:00:00Z. */
  export function now(): i64 { return clock_now(); }
  /** Milliseconds since the unikernel started; for measuring intervals, it never goes back. */
  export function monotonic(): i64 { return clock_monotonic(); }
  /** Minutes to add to UTC for the building's local time now. */
  export function utcOffset(): i32 { return clock_utcOffset(); }

  /** Minutes since local midnight, 0 to 1439. */
  export function localMinuteOfDay(): i32 {
    const local = now() + <i64>utcOffset() * 60_000;
    const minutes = <i32>((local / 60_000) % 1440);
    return minutes < 0 ? minutes + 1440 : minutes;
  }

  /** The local hour, 0 to 23. */
  export function localHour(): i32 { return localMinuteOfDay() / 60; }

  /** A Timer event once, after `ms` milliseconds. */
  export function after(ms: i32): Timer { return new Timer(clock_setTimer(ms, 0)); }

  /** A Timer event every `ms` milliseconds, the first after `ms`. */
  export function every(ms: i32): Timer { return new Timer(clock_setTimer(ms, ms)); }
}
