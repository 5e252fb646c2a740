import { Gpio } from 'onoff';
import { DriverError } from '../DriverError.js';
import type { Level } from './Digital.js';
import type { DigitalBus, DigitalLine, LineConfig } from './DigitalBus.js';

export interface OnoffDigitalBusOptions {
  /** Board line names to sysfs GPIO numbers, such as { GPIO17: 17 } (resolved from the board's chip base). */
  readonly lines: Readonly<Record<string, number>>;
  /**
   * How edges are seen. `interrupt` (default) waits on the value file with epoll, as sysfs
   * intends; `poll` reads it every `pollMs`, for lines whose chip raises no interrupts.
   */
  readonly edges?: 'interrupt' | 'poll';
  /** Poll period in milliseconds when edges is `poll`. Default 5. */
  readonly pollMs?: number;
}

/**
 * GPIO through the Linux sysfs interface (/sys/class/gpio) with `onoff`. Sysfs has no bias
 * setting, so `pull` is left to the board's device tree; levels are raw, the driver applies
 * activeLow.
 */
export class OnoffDigitalBus implements DigitalBus {
  readonly #lines: Readonly<Record<string, number>>;
  readonly #edges: 'interrupt' | 'poll';
  readonly #pollMs: number;
  readonly #pollers = new Set<() => void>();

  constructor(options: OnoffDigitalBusOptions) {
    this.#lines = options.lines;
    this.#edges = options.edges ?? 'interrupt';
    this.#pollMs = options.pollMs ?? 5;
  }

  open(line: string, config: LineConfig): DigitalLine {
    const number = this.#lines[line];
    if (number === undefined) throw new DriverError('driver.bad-option', `this board has no sysfs GPIO for ${line}`, { data: { line } });
    const gpio = attempt(line, 'open', () =>
      config.direction === 'in' ? new Gpio(number, 'in', this.#edges === 'interrupt' ? 'both' : 'none') : new Gpio(number, 'out'),
    );
    if (config.direction === 'out') attempt(line, 'drive', () => gpio.writeSync(config.initial));
    const read = (): Level => attempt(line, 'read', () => gpio.readSync());
    const stops = new Set<() => void>();
    let released = false;
    return {
      read,
      write: (level) => attempt(line, 'drive', () => gpio.writeSync(level)),
      onChange: (listener) => {
        const stop = this.#edges === 'poll' ? this.#poll(read, listener) : this.#interrupt(line, gpio, listener);
        stops.add(stop);
        return () => {
          stops.delete(stop);
          stop();
        };
      },
      release() {
        if (released) return;
        released = true;
        for (const stop of stops) stop();
        stops.clear();
        attempt(line, 'release', () => gpio.unexport());
      },
    };
  }

  #interrupt(line: string, gpio: Gpio, listener: (level: Level) => void): () => void {
    const callback = (error: Error | null | undefined, value: Level): void => {
      if (!error) listener(value);
    };
    attempt(line, 'watch', () => gpio.watch(callback));
    return () => gpio.unwatch(callback);
  }

  /**
   * In poll mode, checks every watched line now instead of at the next tick: for a host that
   * has just been told something changed, and for tests on a fake clock.
   */
  poll(): void {
    for (const check of [...this.#pollers]) check();
  }

  #poll(read: () => Level, listener: (level: Level) => void): () => void {
    let last = read();
    const check = (): void => {
      const level = read();
      if (level === last) return;
      last = level;
      listener(level);
    };
    this.#pollers.add(check);
    const timer = setInterval(check, this.#pollMs);
    return () => {
      clearInterval(timer);
      this.#pollers.delete(check);
    };
  }
}

function attempt<T>(line: string, verb: string, body: () => T): T {
  try {
    return body();
  } catch (cause) {
    throw new DriverError('driver.bus-failed', `could not ${verb} ${line} through sysfs: ${String(cause)}`, { cause, data: { line } });
  }
}
