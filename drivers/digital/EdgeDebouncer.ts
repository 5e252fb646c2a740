import { DriverError } from '../DriverError.js';
import type { Level } from './Digital.js';

export interface EdgeDebouncerOptions {
  /** Edges closer together than this are one edge. 0: every change counts at once. */
  readonly debounceMs: number;
  readonly edge: 'rising' | 'falling' | 'both';
  /** Reads the logical level now. */
  readonly read: () => Level;
  /** Called with the new logical level of each settled edge the options ask for. */
  readonly emit: (level: Level) => void;
}

/**
 * The debounce every digital input driver shares: a change restarts a quiet-period timer, and
 * only when the line has been still for `debounceMs` is its level compared with the last
 * settled one. A bounce that returns to the settled level is no edge.
 */
export class EdgeDebouncer {
  readonly #options: EdgeDebouncerOptions;
  #settled: Level;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: EdgeDebouncerOptions) {
    if (!Number.isFinite(options.debounceMs) || options.debounceMs < 0) {
      throw new DriverError('driver.bad-option', `debounce must be 0 or more milliseconds, not ${options.debounceMs}`, {
        data: { debounceMs: options.debounceMs },
      });
    }
    this.#options = options;
    this.#settled = options.read();
  }

  /** Tells the debouncer the line changed (or may have). */
  changed(): void {
    if (this.#closed) return;
    if (this.#options.debounceMs === 0) {
      this.#settle();
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#settle(), this.#options.debounceMs);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #settle(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const level = this.#options.read();
    if (level === this.#settled) return;
    this.#settled = level;
    const edge = this.#options.edge;
    if (edge === 'both' || (edge === 'rising') === (level === 1)) this.#options.emit(level);
  }
}
