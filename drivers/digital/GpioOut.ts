import { closedError, DriverError } from '../DriverError.js';
import type { Digital, EdgeListener, Level } from './Digital.js';
import type { DigitalBus, DigitalLine } from './DigitalBus.js';

export interface GpioOutOptions {
  /** The bank of lines this output sits on; the driver never opens one itself. */
  readonly bus: DigitalBus;
  /** The line as printed on the board, such as GPIO27. */
  readonly pin: string;
  /** Logical level at open, before any app runs. Default 0 (off). */
  readonly initial?: Level;
  readonly activeLow?: boolean;
}

/** A digital output (driver gpio-out). */
export class GpioOut implements Digital {
  readonly #pin: string;
  readonly #line: DigitalLine;
  readonly #activeLow: boolean;
  #closed = false;

  constructor(options: GpioOutOptions) {
    const initial = options.initial ?? 0;
    assertLevel(initial, options.pin);
    this.#pin = options.pin;
    this.#activeLow = options.activeLow ?? false;
    this.#line = options.bus.open(options.pin, { direction: 'out', pull: 'none', initial: this.#raw(initial) });
  }

  read(): Level {
    this.#assertOpen();
    return this.#raw(this.#line.read());
  }

  write(level: Level): void {
    this.#assertOpen();
    assertLevel(level, this.#pin);
    this.#line.write(this.#raw(level));
  }

  watch(_listener: EdgeListener): () => void {
    this.#assertOpen();
    throw new DriverError('driver.not-watchable', `${this.#pin} is an output; only inputs raise edges`, {
      data: { pin: this.#pin },
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#line.release();
  }

  // activeLow is its own inverse, so one mapping serves both directions.
  #raw(level: Level): Level {
    return this.#activeLow ? ((1 - level) as Level) : level;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(`gpio-out ${this.#pin}`);
  }
}

function assertLevel(level: unknown, pin: string): asserts level is Level {
  if (level !== 0 && level !== 1) {
    throw new DriverError('driver.bad-level', `a level for ${pin} is 0 or 1, not ${String(level)}`, { data: { pin, level: String(level) } });
  }
}
