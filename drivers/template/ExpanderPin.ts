import { closedError, DriverError } from '../DriverError.js';
import type { Digital, EdgeListener, Level } from '../digital/Digital.js';
import { EdgeDebouncer } from '../digital/EdgeDebouncer.js';
import type { ExpanderBus } from './ExpanderBus.js';

// Step 3: the driver. One options object that carries the bus; state in #private fields;
// the class's one interface (Digital); typed errors with the class's codes; close().
export interface ExpanderPinOptions {
  readonly bus: ExpanderBus;
  readonly bit: number;
  readonly direction: 'in' | 'out';
  readonly debounceMs?: number;
  readonly edge?: 'rising' | 'falling' | 'both';
  /** Logical 1 is a low wire (a button to ground). */
  readonly activeLow?: boolean;
  /** Outputs: the logical level at open. Default 0. */
  readonly initial?: Level;
}

export class ExpanderPin implements Digital {
  readonly #bus: ExpanderBus;
  readonly #mask: number;
  readonly #direction: 'in' | 'out';
  readonly #activeLow: boolean;
  readonly #listeners = new Set<EdgeListener>();
  readonly #debouncer: EdgeDebouncer | undefined;
  readonly #stopInterrupt: (() => void) | undefined;
  #closed = false;

  constructor(options: ExpanderPinOptions) {
    if (!Number.isInteger(options.bit) || options.bit < 0 || options.bit > 7) {
      throw new DriverError('driver.bad-option', `an expander pin is 0 to 7, not ${options.bit}`, { data: { bit: options.bit } });
    }
    this.#bus = options.bus;
    this.#mask = 1 << options.bit;
    this.#direction = options.direction;
    this.#activeLow = options.activeLow ?? false;
    if (options.direction === 'out') {
      this.#set(options.initial ?? 0);
      return;
    }
    this.#setRaw(1); // an input pin of this chip is released high
    const debouncer = new EdgeDebouncer({
      debounceMs: options.debounceMs ?? 0,
      edge: options.edge ?? 'both',
      read: () => this.#level(),
      emit: (level) => {
        for (const listener of [...this.#listeners]) listener(level);
      },
    });
    this.#debouncer = debouncer;
    this.#stopInterrupt = options.bus.onInterrupt(() => debouncer.changed());
  }

  read(): Level {
    this.#assertOpen();
    return this.#level();
  }

  write(level: Level): void {
    this.#assertOpen();
    if (this.#direction === 'in') throw new DriverError('driver.read-only', 'this expander pin is an input');
    if (level !== 0 && level !== 1) throw new DriverError('driver.bad-level', `a level is 0 or 1, not ${String(level)}`);
    this.#set(level);
  }

  watch(listener: EdgeListener): () => void {
    this.#assertOpen();
    if (this.#direction === 'out') throw new DriverError('driver.not-watchable', 'this expander pin is an output');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#debouncer?.close();
    this.#stopInterrupt?.();
    this.#listeners.clear();
    this.#setRaw(1); // release the pin
  }

  #level(): Level {
    const raw = (this.#bus.readPort() & this.#mask) !== 0;
    return raw !== this.#activeLow ? 1 : 0;
  }

  #set(level: Level): void {
    this.#setRaw((level === 1) !== this.#activeLow ? 1 : 0);
  }

  #setRaw(raw: Level): void {
    const port = this.#bus.readPort();
    this.#bus.writePort(raw === 1 ? port | this.#mask : port & ~this.#mask);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('expander-pin');
  }
}
