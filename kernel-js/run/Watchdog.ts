import { Worker } from 'node:worker_threads';
import { OsmoseError, type OsmoseErrorJson } from '../../lib/OsmoseError.js';
import type { Digital, Display } from '../../drivers/index.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import { heartbeatBusy, heartbeatCount, type FromWorker, type ToWorker, type WorkerStart } from './workerProtocol.js';

export interface WatchdogOptions {
  readonly config: KernelBoardConfig;
  readonly modules: ReadonlyMap<string, Uint8Array>;
  /** The board's limits (boards/<id>.ts). */
  readonly limits: { readonly memoryPages: number; readonly eventBudgetMs: number };
  /** This many traps within windowMs stop the unikernel. */
  readonly trapStorm?: { readonly count: number; readonly windowMs: number };
  /** Restart after baseMs, doubling with each stop in a row, up to maxMs. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly onStop?: (stop: WatchdogStop) => void;
  readonly onReady?: (run: number) => void;
  readonly onOutput?: (device: string, level: number) => void;
  readonly onLog?: (instance: string, level: number, message: string) => void;
  readonly onTrap?: (instance: string, message: string) => void;
  readonly now?: () => number;
  /**
   * The board's digital drivers by device name (openBoardDevices). They live on this thread,
   * outside the worker, so a terminated unikernel never takes a line or a port with it: each
   * input's debounced edges reach the unikernel, and its writes reach each output's driver.
   * Without them, inputs come only from input() and outputs are only reported.
   */
  readonly digital?: ReadonlyMap<string, { readonly driver: Digital; readonly output: boolean }>;
  /** The board's display drivers by device name: the unikernel's drawing calls land here. */
  readonly displays?: ReadonlyMap<string, Display>;
}

export interface WatchdogStop {
  readonly run: number;
  readonly error: OsmoseErrorJson;
  /** How long until the restart; null when the unikernel was refused at link time, which a restart would only repeat. */
  readonly restartInMs: number | null;
}

export interface WatchdogHealth {
  readonly running: boolean;
  readonly runs: number;
  readonly stops: readonly WatchdogStop[];
  readonly traps: number;
  readonly outputs: Readonly<Record<string, number>>;
}

/** Refusals at link time: the same bytes would be refused again, so they are not restarted. */
const refusals: ReadonlySet<string> = new Set(['kernel.malformed', 'kernel.abi', 'kernel.abi-version', 'kernel.ungranted-import', 'kernel.memory-too-large', 'kernel.no-module']);

/**
 * Runs a unikernel in a worker thread and stops it when it runs away: an event handler past
 * the board's event budget (the worker is terminated), memory past the board's limit, or a
 * storm of traps. Each stop is reported with its reason and followed by a restart after an
 * exponential backoff; the shim itself carries on.
 */
export class Watchdog {
  readonly #o: WatchdogOptions;
  readonly #stops: WatchdogStop[] = [];
  readonly #outputs: Record<string, number> = {};
  #worker: Worker | undefined;
  #heartbeat = new Int32Array(new SharedArrayBuffer(8));
  #check: NodeJS.Timeout | undefined;
  #restart: NodeJS.Timeout | undefined;
  #trapTimes: number[] = [];
  #traps = 0;
  #runs = 0;
  #stopsInARow = 0;
  #readyAt: number | undefined;
  #closed = false;
  /** Levels shared with the worker, kept across restarts so a new run sees the lines as they are. */
  readonly #levelBuffer: SharedArrayBuffer;
  readonly #levels: Int32Array;
  readonly #deviceIndex: ReadonlyMap<string, number>;
  readonly #unwatch: (() => void)[] = [];

  constructor(options: WatchdogOptions) {
    this.#o = options;
    const names = Object.keys(options.config.devices);
    this.#deviceIndex = new Map(names.map((name, index) => [name, index]));
    this.#levelBuffer = new SharedArrayBuffer(4 * Math.max(1, names.length));
    this.#levels = new Int32Array(this.#levelBuffer);
    for (const [name, { driver, output }] of options.digital ?? []) {
      this.#store(name, driver.read());
      if (!output) this.#unwatch.push(driver.watch((level) => this.input(name, level)));
    }
  }

  start(): void {
    if (this.#closed) return;
    this.#runs++;
    const run = this.#runs;
    const heartbeat = new SharedArrayBuffer(8);
    this.#heartbeat = new Int32Array(heartbeat);
    this.#trapTimes = [];
    const start: WorkerStart = { config: this.#o.config, modules: [...this.#o.modules], memoryPages: this.#o.limits.memoryPages, heartbeat, levels: this.#levelBuffer };
    const worker = newWorker(start);
    this.#worker = worker;
    worker.on('message', (message: FromWorker) => this.#receive(run, message));
    worker.on('error', (error) => this.#stop(run, new OsmoseError('kernel.internal', error.message).toJSON()));
    worker.on('exit', () => {
      if (this.#worker === worker) this.#stop(run, new OsmoseError('kernel.exited', 'the unikernel worker exited').toJSON());
    });
    // The event budget, checked by count: an event still running at two checks in a row,
    // with no other event begun between them, has run for at least one budget.
    let seen = -1;
    this.#check = setInterval(() => {
      const busy = Atomics.load(this.#heartbeat, heartbeatBusy) === 1;
      const count = Atomics.load(this.#heartbeat, heartbeatCount);
      if (busy && count === seen) {
        this.#stop(run, new OsmoseError('watchdog.event-budget', `an event handler ran past the board's budget of ${this.#o.limits.eventBudgetMs} ms`, { data: { budgetMs: this.#o.limits.eventBudgetMs } }).toJSON());
      }
      seen = busy ? count : -1;
    }, this.#o.limits.eventBudgetMs);
  }

  /** A digital input changed level. */
  input(device: string, level: number): void {
    // An output's level is the unikernel's to set, never the outside world's.
    if (this.#o.config.devices[device]?.driver !== 'gpio-out') this.#store(device, level);
    const message: ToWorker = { type: 'input', device, level };
    this.#worker?.postMessage(message);
  }

  health(): WatchdogHealth {
    return { running: this.#worker !== undefined, runs: this.#runs, stops: [...this.#stops], traps: this.#traps, outputs: { ...this.#outputs } };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    if (this.#restart !== undefined) clearTimeout(this.#restart);
    await this.#end();
  }

  #receive(run: number, message: FromWorker): void {
    if (run !== this.#runs) return;
    switch (message.type) {
      case 'ready':
        this.#readyAt = (this.#o.now ?? Date.now)();
        this.#o.onReady?.(run);
        break;
      case 'output': {
        const digital = this.#o.digital?.get(message.device);
        try {
          if (digital?.output === true) digital.driver.write(message.level === 0 ? 0 : 1);
        } catch (error) {
          // A closed driver (the board is shutting down) drops the write; the unikernel carries on.
          this.#o.onLog?.(message.device, 3, `the driver refused the write: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.#outputs[message.device] = message.level;
        this.#o.onOutput?.(message.device, message.level);
        break;
      }
      case 'display': {
        const display = this.#o.displays?.get(message.device);
        const command = message.command;
        try {
          if (command.op === 'fill') display?.fill(command.rect, command.color);
          else if (command.op === 'blit') display?.blit(command.rect, command.pixels);
          else display?.flush();
        } catch (error) {
          this.#o.onLog?.(message.device, 3, `the display driver refused ${command.op}: ${error instanceof Error ? error.message : String(error)}`);
        }
        break;
      }
      case 'log':
        this.#o.onLog?.(message.instance, message.level, message.message);
        break;
      case 'trap': {
        this.#traps++;
        this.#o.onTrap?.(message.instance, message.message);
        const storm = this.#o.trapStorm ?? { count: 5, windowMs: 10_000 };
        const now = (this.#o.now ?? Date.now)();
        this.#trapTimes = [...this.#trapTimes.filter((at) => now - at < storm.windowMs), now];
        if (this.#trapTimes.length >= storm.count) {
          this.#stop(run, new OsmoseError('watchdog.trap-storm', `${storm.count} traps within ${storm.windowMs} ms (last in ${message.instance}: ${message.message})`, { data: { ...storm, instance: message.instance } }).toJSON());
        }
        break;
      }
      case 'stop':
        this.#stop(run, message.error);
        break;
    }
  }

  #store(device: string, level: number): void {
    const index = this.#deviceIndex.get(device);
    if (index !== undefined) Atomics.store(this.#levels, index, level);
  }

  #stop(run: number, error: OsmoseErrorJson): void {
    if (run !== this.#runs || this.#worker === undefined) return;
    void this.#end();
    const backoff = this.#o.backoff ?? { baseMs: 100, maxMs: 60_000 };
    // A run that stayed up longer than the longest backoff was healthy: start again from the base.
    if (this.#readyAt !== undefined && (this.#o.now ?? Date.now)() - this.#readyAt > backoff.maxMs) this.#stopsInARow = 0;
    this.#readyAt = undefined;
    const restartInMs = refusals.has(error.code) ? null : Math.min(backoff.maxMs, backoff.baseMs * 2 ** this.#stopsInARow);
    this.#stopsInARow++;
    const stop: WatchdogStop = { run, error, restartInMs };
    this.#stops.push(stop);
    this.#o.onStop?.(stop);
    if (!this.#closed && restartInMs !== null) this.#restart = setTimeout(() => this.start(), restartInMs);
  }

  async #end(): Promise<void> {
    if (this.#check !== undefined) clearInterval(this.#check);
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}

// Under the TypeScript sources (tests, tsx) the worker is a .ts file, loaded through tsx's
// loader registered inside the worker; in the built package it is the .js beside this one.
function newWorker(workerData: WorkerStart): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./unikernelWorker.js', import.meta.url), { workerData });
  const entry = JSON.stringify(new URL('./unikernelWorker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`, { eval: true, workerData });
}
