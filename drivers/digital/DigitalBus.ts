import type { Level } from './Digital.js';

/** How a line is opened: direction, bias, and for outputs the raw level to start at. */
export interface LineConfig {
  readonly direction: 'in' | 'out';
  readonly pull: 'up' | 'down' | 'none';
  /** Raw (electrical) level an output starts at. */
  readonly initial: Level;
}

/**
 * One GPIO line as the bus exposes it. Levels here are raw (electrical): the driver applies
 * activeLow, debounce and edge selection, so every bus stays trivial.
 */
export interface DigitalLine {
  read(): Level;
  write(level: Level): void;
  /** Calls `listener` with the raw level on every change the bus sees, bouncing included. */
  onChange(listener: (level: Level) => void): () => void;
  release(): void;
}

/** The backend a digital driver receives: a bank of lines named as printed on the board. */
export interface DigitalBus {
  open(line: string, config: LineConfig): DigitalLine;
}
