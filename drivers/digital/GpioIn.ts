import { closedError, DriverError } from '../DriverError.js';
import type { Digital, EdgeListener, Level } from './Digital.js';
import type { DigitalBus, DigitalLine } from './DigitalBus.js';

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

/**
 * A digital input (driver gpio-in). Debounce lives here, not in the bus: a change restarts a
 * quiet-period timer, and only when the line has been still for `debounceMs` is its level
 * compared with the last settled one. A bounce that returns to the settled level is no edge.
 */
export class GpioIn implements Digital {
  readonly #pin: string;
  readonly #line: DigitalLine;
  readonly #activeLow: boolean;
  readonly #debounceMs: number;
  readonly #edge: 'rising' | 'falling' | 'both';
  readonly #listeners = new Set<EdgeListener>();
  readonly #stopBus: () => void;
  #settled: Level;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: GpioInOptions) {
    const debounceMs = options.debounceMs ?? 0;
    if (!Number.isFinite(debounceMs) || debounceMs < 0) {
      throw new DriverError('driver.bad-option', `debounce for ${options.pin} must be 0 or more milliseconds, not ${debounceMs}`, {
        data: { pin: options.pin, debounceMs },
      });
    }
    this.#pin = options.pin;
    this.#activeLow = options.activeLow ?? false;
    this.#debounceMs = debounceMs;
    this.#edge = options.edge ?? 'both';
    this.#line = options.bus.open(options.pin, { direction: 'in', pull: options.pull ?? 'none', initial: 0 });
    this.#settled = this.#logical(this.#line.read());
    this.#stopBus = this.#line.onChange(() => this.#changed());
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
    clearTimeout(this.#timer);
    this.#listeners.clear();
    this.#stopBus();
    this.#line.release();
  }

  #changed(): void {
    if (this.#closed) return;
    if (this.#debounceMs === 0) {
      this.#settle();
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#settle(), this.#debounceMs);
  }

  #settle(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const level = this.#logical(this.#line.read());
    if (level === this.#settled) return;
    this.#settled = level;
    const wanted = this.#edge === 'both' || (this.#edge === 'rising') === (level === 1);
    if (!wanted) return;
    for (const listener of [...this.#listeners]) listener(level);
  }

  #logical(raw: Level): Level {
    return this.#activeLow ? ((1 - raw) as Level) : raw;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(`gpio-in ${this.#pin}`);
  }
}
