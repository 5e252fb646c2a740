import { closedError, DriverError } from '../DriverError.js';
import type { Digital, EdgeListener, Level } from './Digital.js';
import type { DigitalBus, DigitalLine } from './DigitalBus.js';
import { EdgeDebouncer } from './EdgeDebouncer.js';

export interface GpioInOptions {
  /** The bank of lines this input sits on; the driver never opens one itself. */
  readonly bus: DigitalBus;
  /** The line as printed on the board, such as GPIO17. */
  readonly pin: string;
  readonly pull?: 'up' | 'down' | 'none';
  /** Edges closer together than this are one edge. Default 0: every change counts. */
  readonly debounceMs?: number;
  readonly edge?: 'rising' | 'falling' | 'both';
  readonly activeLow?: boolean;
}

/** A digital input (driver gpio-in). Debounce lives here, not in the bus, so every bus stays trivial. */
export class GpioIn implements Digital {
  readonly #pin: string;
  readonly #line: DigitalLine;
  readonly #activeLow: boolean;
  readonly #listeners = new Set<EdgeListener>();
  readonly #debouncer: EdgeDebouncer;
  readonly #stopBus: () => void;
  #closed = false;

  constructor(options: GpioInOptions) {
    this.#pin = options.pin;
    this.#activeLow = options.activeLow ?? false;
    const debounceMs = options.debounceMs ?? 0;
    if (!Number.isFinite(debounceMs) || debounceMs < 0) {
      throw new DriverError('driver.bad-option', `debounce for ${options.pin} must be 0 or more milliseconds, not ${debounceMs}`, {
        data: { pin: options.pin, debounceMs },
      });
    }
    const line = options.bus.open(options.pin, { direction: 'in', pull: options.pull ?? 'none', initial: 0 });
    this.#line = line;
    this.#debouncer = new EdgeDebouncer({
      debounceMs,
      edge: options.edge ?? 'both',
      read: () => this.#logical(line.read()),
      emit: (level) => {
        for (const listener of [...this.#listeners]) listener(level);
      },
    });
    this.#stopBus = line.onChange(() => this.#debouncer.changed());
  }

  read(): Level {
    this.#assertOpen();
    return this.#logical(this.#line.read());
  }

  write(_level: Level): void {
    this.#assertOpen();
    throw new DriverError('driver.read-only', `${this.#pin} is an input; it cannot be driven`, {
      hint: 'declare the device with driver: gpio-out to drive it',
      data: { pin: this.#pin },
    });
  }

  watch(listener: EdgeListener): () => void {
    this.#assertOpen();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#debouncer.close();
    this.#listeners.clear();
    this.#stopBus();
    this.#line.release();
  }

  #logical(raw: Level): Level {
    return this.#activeLow ? ((1 - raw) as Level) : raw;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(`gpio-in ${this.#pin}`);
  }
}
