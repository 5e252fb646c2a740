import { DriverError } from '../DriverError.js';
import type { Level } from './Digital.js';
import type { DigitalBus, DigitalLine, LineConfig } from './DigitalBus.js';

interface SimLine {
  config: LineConfig | undefined;
  /** Level set from outside (an input's wire) or by the driver (an output). */
  level: Level;
  readonly listeners: Set<(level: Level) => void>;
}

/**
 * A simulated bank of GPIO lines. The outside world (tests, `osmose sim set/press`) drives
 * inputs with `setInput` and observes outputs with `output`/`onOutput`. A line that was never
 * set floats to its pull: high with pull-up, low otherwise.
 */
export class SimDigitalBus implements DigitalBus {
  readonly #lines = new Map<string, SimLine>();
  readonly #known: ReadonlySet<string> | undefined;
  readonly #outputListeners = new Set<(line: string, level: Level) => void>();
  /** Lines the outside world has set: they keep that level rather than floating to their pull. */
  readonly #wasSet = new Set<string>();

  /** `lines`, when given, are the only line names the bank has (such as a board's header). */
  constructor(options: { readonly lines?: Iterable<string> } = {}) {
    this.#known = options.lines === undefined ? undefined : new Set(options.lines);
  }

  open(line: string, config: LineConfig): DigitalLine {
    if (this.#known !== undefined && !this.#known.has(line)) {
      throw new DriverError('driver.bad-option', `the simulated bank has no line ${line}`, { data: { line } });
    }
    const state = this.#line(line);
    if (state.config !== undefined) {
      throw new DriverError('driver.bad-option', `${line} is already open`, { hint: 'close the other device on this line first', data: { line } });
    }
    state.config = config;
    if (config.direction === 'out') state.level = config.initial;
    else if (!this.#wasSet.has(line)) state.level = config.pull === 'up' ? 1 : 0;
    const drive = (level: Level): void => this.#drive(line, state, level);
    let released = false;
    return {
      read: () => state.level,
      write(level) {
        if (released) return;
        drive(level);
      },
      onChange(listener) {
        state.listeners.add(listener);
        return () => state.listeners.delete(listener);
      },
      release() {
        if (released) return;
        released = true;
        state.config = undefined;
        state.listeners.clear();
      },
    };
  }

  /** Drives an input line from outside, raw level. Every call is a change, as a bounce is. */
  setInput(line: string, level: Level): void {
    const state = this.#line(line);
    if (state.config?.direction === 'out') {
      throw new DriverError('driver.bad-option', `${line} is an output; it cannot be driven from outside`, { data: { line } });
    }
    this.#wasSet.add(line);
    if (state.level === level) return;
    state.level = level;
    for (const listener of [...state.listeners]) listener(level);
  }

  /** The raw level of a line now (an output as driven, an input as set). */
  level(line: string): Level {
    return this.#line(line).level;
  }

  /** Whether a driver holds the line open. */
  isOpen(line: string): boolean {
    return this.#lines.get(line)?.config !== undefined;
  }

  /** Calls `listener` whenever a driver changes an output. */
  onOutput(listener: (line: string, level: Level) => void): () => void {
    this.#outputListeners.add(listener);
    return () => this.#outputListeners.delete(listener);
  }

  #drive(line: string, state: SimLine, level: Level): void {
    if (state.level === level) return;
    state.level = level;
    for (const listener of [...this.#outputListeners]) listener(line, level);
  }

  #line(line: string): SimLine {
    let state = this.#lines.get(line);
    if (state === undefined) {
      state = { config: undefined, level: 0, listeners: new Set() };
      this.#lines.set(line, state);
    }
    return state;
  }
}
