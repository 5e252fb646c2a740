import { isOsmoseError, OsmoseError, type OsmoseErrorJson } from '../../lib/OsmoseError.js';
import type { AudioIn, AudioOut, Digital, Display, OpenedDriver } from '../../drivers/index.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import type { CircuitConfig } from '../circuit/CircuitConfig.js';
import { circuitDevices, type CircuitDevices } from '../host/circuitDevices.js';
import { streamDevices, type StreamDevices } from '../host/streamDevices.js';
import { deferredDisplay } from '../host/deferredDisplay.js';
import type { KernelChannel } from '../host/KernelChannels.js';
import { memoryDevices, type KernelDevices, type KernelDigital } from '../host/KernelDevices.js';
import { KernelError } from '../KernelError.js';
import { Unikernel } from './Unikernel.js';
import type { ScriptEngine } from './ScriptEngine.js';

export interface WatchdogOptions {
  readonly config: KernelBoardConfig;
  readonly modules: ReadonlyMap<string, Uint8Array>;
  /** The board's script engine, when its image carries apps in plain TypeScript; the refusal when it would not start. */
  readonly engine?: ScriptEngine | KernelError;
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
   * The board's digital drivers by device name (openBoardDevices). They outlive the runs of
   * the unikernel, so a stopped run never takes a line with it: each input's debounced edges
   * reach the running unikernel, and its writes reach each output's driver. Without them,
   * inputs come only from input() and outputs are only reported.
   */
  readonly digital?: ReadonlyMap<string, { readonly driver: Digital; readonly output: boolean }>;
  /** The board's display drivers by device name: the unikernel's drawing calls land here. */
  readonly displays?: ReadonlyMap<string, Display>;
  /** Every opened driver by device name (openBoardDevices): serial ports, microphones, speakers and enclaves are found here. */
  readonly drivers?: ReadonlyMap<string, OpenedDriver>;
  /** The board's circuits, who is in its space, where sealed data is kept, and the image's clips (KernelDevices). */
  readonly surroundings?: Pick<KernelDevices, 'channels' | 'presence' | 'keep' | 'clips' | 'played'>;
  /**
   * Opens this board's end of one of its configuration's control circuits (kernel-js/circuit):
   * remote devices bound by the fragments are reached through them, and the board's own
   * devices at a circuit's far end are served. Without it, circuits are left closed.
   */
  readonly circuits?: (circuit: CircuitConfig) => KernelChannel | undefined;
  /** This board's end of one of its stream circuits, already open (bootBoard opens them); audio devices across them are reached through it. */
  readonly streams?: (circuit: CircuitConfig) => KernelChannel | undefined;
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
const refusals: ReadonlySet<string> = new Set(['kernel.malformed', 'kernel.abi', 'kernel.abi-version', 'kernel.ungranted-import', 'kernel.memory-too-large', 'kernel.no-module', 'kernel.no-engine', 'kernel.engine-mismatch']);

/**
 * Runs a unikernel and stops it when it runs away: a call past the board's event budget, memory
 * past the board's limit (both enforced inside the metered module: run/meterModule.ts), or a
 * storm of traps. Each stop is reported with its reason and followed by a restart after an
 * exponential backoff; the shim itself carries on. The unikernel runs on this thread, so many
 * boards fit in one process and host functions reach their drivers directly.
 */
export class Watchdog {
  readonly #o: WatchdogOptions;
  readonly #stops: WatchdogStop[] = [];
  readonly #outputs: Record<string, number> = {};
  readonly #devices: KernelDevices;
  readonly #memory: ReturnType<typeof memoryDevices>;
  readonly #unwatch: (() => void)[] = [];
  readonly #circuits: CircuitDevices;
  readonly #streams: StreamDevices;
  #kernel: Unikernel | undefined;
  #restart: NodeJS.Timeout | undefined;
  #trapTimes: number[] = [];
  #traps = 0;
  #runs = 0;
  #stopsInARow = 0;
  #readyAt: number | undefined;
  #closed = false;

  constructor(options: WatchdogOptions) {
    this.#o = options;
    const output = (device: string, level: number): void => {
      this.#outputs[device] = level;
      this.#o.onOutput?.(device, level);
    };
    // Devices without a driver keep their level here: inputs set by input(), outputs reported.
    this.#memory = memoryDevices(options.config.devices, output);
    const digital = new Map<string, KernelDigital>();
    for (const [name, { driver, output: isOutput }] of options.digital ?? []) {
      digital.set(name, {
        output: isOutput,
        read: () => driver.read(),
        write: (level) => {
          try {
            driver.write(level === 0 ? 0 : 1);
          } catch (error) {
            // A closed driver (the board is shutting down) drops the write; the unikernel carries on.
            this.#o.onLog?.(name, 3, `the driver refused the write: ${error instanceof Error ? error.message : String(error)}`);
          }
          output(name, level);
        },
      });
      if (!isOutput) this.#unwatch.push(driver.watch((level) => this.input(name, level)));
    }
    this.#circuits = circuitDevices({
      config: options.config,
      open: (circuit) => options.circuits?.(circuit),
      local: (device) => digital.get(device) ?? this.#memory.digital(device),
      input: (device, level) => this.input(device, level),
      log: (circuit, level, message) => this.#o.onLog?.(circuit, level, message),
    });
    const opened = (device: string): OpenedDriver | undefined => options.drivers?.get(device);
    const localMicrophone = (device: string): AudioIn | undefined => {
      const found = opened(device);
      return found?.class === 'audio-in' ? found.driver : undefined;
    };
    const localSpeaker = (device: string): AudioOut | undefined => {
      const found = opened(device);
      return found?.class === 'audio-out' ? found.driver : undefined;
    };
    this.#streams = streamDevices({
      config: options.config,
      open: (circuit) => options.streams?.(circuit),
      microphone: localMicrophone,
      speaker: localSpeaker,
      log: (circuit, level, message) => this.#o.onLog?.(circuit, level, message),
    });
    const displays = new Map([...(options.displays ?? [])].map(([name, display]) => [name, deferredDisplay(display, (op, error) => this.#o.onLog?.(name, 3, `the display driver refused ${op}: ${error instanceof Error ? error.message : String(error)}`))] as const));
    this.#devices = {
      ...options.surroundings,
      digital: (device) => digital.get(device) ?? this.#circuits.digital(device) ?? this.#memory.digital(device),
      display: (device) => displays.get(device),
      serial: (device) => {
        const found = opened(device);
        return found?.class === 'serial' ? found.driver : undefined;
      },
      microphone: (device) => localMicrophone(device) ?? this.#streams.microphone(device),
      speaker: (device) => localSpeaker(device) ?? this.#streams.speaker(device),
      enclave: (device) => {
        const found = opened(device);
        return found?.class === 'enclave' ? found.driver : undefined;
      },
    };
  }

  start(): void {
    if (this.#closed) return;
    this.#runs++;
    const run = this.#runs;
    this.#trapTimes = [];
    const kernel = new Unikernel({
      config: this.#o.config,
      modules: this.#o.modules,
      devices: this.#devices,
      limits: this.#o.limits,
      log: (instance, level, message) => this.#o.onLog?.(instance, level, message),
      trap: (instance, message) => this.#trap(run, instance, message),
      fatal: (error) => this.#stop(run, error.toJSON()),
      ...(this.#o.now === undefined ? {} : { now: this.#o.now }),
      ...(this.#o.engine === undefined ? {} : { engine: this.#o.engine }),
    });
    this.#kernel = kernel;
    try {
      kernel.boot();
    } catch (error) {
      this.#stop(run, toErrorJson(error));
      return;
    }
    this.#readyAt = (this.#o.now ?? Date.now)();
    this.#o.onReady?.(run);
  }

  /** A digital input changed level. */
  input(device: string, level: number): void {
    // An output's level is the unikernel's to set, never the outside world's.
    if (this.#o.config.devices[device]?.driver !== 'gpio-out') this.#memory.set(device, level);
    this.#circuits.localInput(device, level);
    const kernel = this.#kernel;
    if (kernel === undefined) return;
    try {
      kernel.input(device, level);
    } catch (error) {
      this.#stop(this.#runs, toErrorJson(error));
    }
  }

  health(): WatchdogHealth {
    return { running: this.#kernel !== undefined, runs: this.#runs, stops: [...this.#stops], traps: this.#traps, outputs: { ...this.#outputs } };
  }

  /** The running unikernel's self-test (Unikernel.selfTest); fails when none is running. */
  selfTest(): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
    const kernel = this.#kernel;
    if (kernel === undefined) return { ok: false, reason: 'the unikernel is not running' };
    return kernel.selfTest();
  }

  /** Events handled by the current run. */
  get handled(): number {
    return this.#kernel?.handled ?? 0;
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    this.#circuits.close();
    this.#streams.close();
    if (this.#restart !== undefined) clearTimeout(this.#restart);
    this.#kernel?.close();
    this.#kernel = undefined;
    return Promise.resolve();
  }

  #trap(run: number, instance: string, message: string): void {
    if (run !== this.#runs) return;
    this.#traps++;
    this.#o.onTrap?.(instance, message);
    const storm = this.#o.trapStorm ?? { count: 5, windowMs: 10_000 };
    const now = (this.#o.now ?? Date.now)();
    this.#trapTimes = [...this.#trapTimes.filter((at) => now - at < storm.windowMs), now];
    if (this.#trapTimes.length >= storm.count) {
      this.#stop(run, new OsmoseError('watchdog.trap-storm', `${storm.count} traps within ${storm.windowMs} ms (last in ${instance}: ${message})`, { data: { ...storm, instance } }).toJSON());
    }
  }

  #stop(run: number, error: OsmoseErrorJson): void {
    if (run !== this.#runs || this.#kernel === undefined) return;
    this.#kernel.close();
    this.#kernel = undefined;
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
}

function toErrorJson(error: unknown): OsmoseErrorJson {
  if (isOsmoseError(error)) return error.toJSON();
  return new KernelError('kernel.internal', error instanceof Error ? error.message : String(error)).toJSON();
}
