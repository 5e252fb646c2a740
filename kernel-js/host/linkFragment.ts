import { alwaysGranted } from '../../lib/capabilities.js';
import { abiDefinition, abiFunction, type AbiDefinition, checkAbiConformance, eventKindsOf, readModuleAbiVersion, readWasmInterface, type WasmInterface } from '../../userland/abi/index.js';
import type { KernelBoardConfig, KernelFragment } from '../boot/KernelImage.js';
import { KernelError } from '../KernelError.js';
import { compileMetered } from '../run/compileMetered.js';
import { fuelExport, growExport } from '../run/meterModule.js';
import { abiCodes } from './abiCodes.js';
import { fragmentClips } from './clipPlayer.js';
import { decodeUtf8 } from './decodeUtf8.js';
import { deviceModules } from './deviceModules.js';
import type { HostModule } from './HostModule.js';
import type { KernelDevices } from './KernelDevices.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status } = abiCodes;
const pageBytes = 65_536;

/** What a fragment's host functions reach: the board, its devices, time and the event queue. */
export interface FragmentContext {
  readonly config: KernelBoardConfig;
  readonly fragment: KernelFragment;
  readonly devices: KernelDevices;
  /** The board's memory ceiling, in 64 KiB pages: the module's memory cannot grow past it. */
  readonly memoryPages: number;
  /** How long one call into the module may run (the board's limits.eventBudgetMs). */
  readonly budgetMs: number;
  readonly log: (level: number, message: string) => void;
  readonly now: () => number;
  readonly monotonic: () => number;
  /** Calls `fire` after delayMs, then every periodMs (0: once); returns a cancel. */
  readonly schedule: (delayMs: number, periodMs: number, fire: () => void) => () => void;
  /** Queues an event for this fragment. */
  readonly raise: (kind: number, source: number, value: number) => void;
  /** Milliseconds for the budget's wall-clock check (performance.now when omitted). */
  readonly clock?: () => number;
}

export interface LinkedFragment {
  readonly instance: string;
  readonly app: string;
  /** Device name on this board → the handle this fragment knows it by. */
  readonly handles: ReadonlyMap<string, number>;
  /** The host modules linked: exactly those the fragment's capabilities grant. */
  readonly linked: readonly string[];
  /**
   * Each call into the module runs on a budget (see `budgeted`): past it, or past the board's
   * memory, it throws a KernelError `watchdog.event-budget` or `watchdog.memory`; any other
   * trap is thrown as it came.
   */
  initialize(): void;
  /** The Status `start` returned, or undefined when the module has none. */
  start(): number | undefined;
  /** The Status the module's optional `selftest` export returned, or undefined when it has none. */
  selfTest(): number | undefined;
  handle(kind: number, source: number, value: number): number;
  memoryPages(): number;
  /** Cancels the fragment's timers. */
  close(): void;
}

type HostFn = (...args: number[]) => number | bigint;

/**
 * Fuel for one call: the metered module spends one unit per function entry and loop
 * iteration (run/meterModule.ts). No iteration takes much less than a nanosecond, so a call
 * that runs out of fuel has run for about its budget or longer; host calls check the clock.
 */
const fuelPerMs = 1_000_000;

class BudgetExceeded extends Error {}

/** The wall-clock side of a call's budget, checked on every host call. */
class Budget {
  #deadline = Number.POSITIVE_INFINITY;
  readonly #ms: number;
  readonly #clock: () => number;

  constructor(ms: number, clock: () => number) {
    this.#ms = ms;
    this.#clock = clock;
  }

  begin(): void {
    this.#deadline = this.#clock() + this.#ms;
  }

  check(): void {
    if (this.#clock() > this.#deadline) throw new BudgetExceeded('the call ran past its budget');
  }
}

/**
 * Compiles and instantiates one fragment's module with exactly the host modules its
 * capabilities grant: the shim's own capability check, after the builder's. Refuses with a
 * KernelError a module that is malformed, does not fit the ABI, has another ABI version,
 * asks for more memory than the board has, or imports a function whose capability the
 * fragment is not granted.
 */
export function linkFragment(bytes: Uint8Array, context: FragmentContext): LinkedFragment {
  const { fragment } = context;
  const data = { app: fragment.app, instance: fragment.instance };
  let wasm: WasmInterface;
  try {
    wasm = readWasmInterface(bytes);
  } catch (cause) {
    throw new KernelError('kernel.malformed', `the module of ${fragment.instance} is not valid WebAssembly`, { data, cause });
  }
  const version = readModuleAbiVersion(wasm);
  // Versions only add (docs/abi.md): a module built for an earlier one links, one for a later one cannot.
  if (version !== undefined && (version < 1 || version > abiDefinition.version)) {
    throw new KernelError('kernel.abi-version', `the module of ${fragment.instance} was built for ABI ${version}; this shim implements ABI 1 to ${abiDefinition.version}`, {
      hint: 'update the board (osmose rollout) before giving it apps built by a newer osmose',
      data: { ...data, version },
    });
  }
  const problems = checkAbiConformance(wasm);
  if (problems.length > 0) {
    throw new KernelError('kernel.abi', `the module of ${fragment.instance} does not fit the ABI: ${problems.map((p) => p.message).join('; ')}`, { data: { ...data, problems } });
  }
  const granted = new Set<string>([...alwaysGranted, ...fragment.capabilities]);
  const ungranted = wasm.imports.flatMap((entry) => {
    const missing = (abiFunction(entry.module, entry.name)?.requires ?? []).filter((cap) => !granted.has(cap));
    return missing.length === 0 ? [] : [{ import: `${entry.module}.${entry.name}`, missing }];
  });
  if (ungranted.length > 0) {
    throw new KernelError(
      'kernel.ungranted-import',
      `${fragment.instance} imports ${ungranted.map((u) => `${u.import} (needs ${u.missing.join(', ')})`).join(', ')}, which its policy does not grant; the shim does not link it`,
      { hint: 'grant the capability in the policies and rebuild, or remove the import from the app', data: { ...data, ungranted, granted: [...granted] } },
    );
  }
  if (wasm.memory !== undefined && wasm.memory.initial > context.memoryPages) {
    throw new KernelError('kernel.memory-too-large', `the module of ${fragment.instance} starts with ${wasm.memory.initial} pages of memory; the board has ${context.memoryPages}`, {
      data: { ...data, pages: wasm.memory.initial, limit: context.memoryPages },
    });
  }

  let module: WebAssembly.Module;
  try {
    module = compileMetered(bytes, context.memoryPages);
  } catch (cause) {
    throw new KernelError('kernel.malformed', `the module of ${fragment.instance} is not valid WebAssembly: ${cause instanceof Error ? cause.message : String(cause)}`, { data, cause });
  }

  const budget = new Budget(context.budgetMs, context.clock ?? performance.now.bind(performance));
  // A module hears only the event kinds of the version it was built for.
  const kinds = eventKindsOf(version ?? abiDefinition.version);
  const host = new Host({ ...context, raise: (kind, source, value) => (kinds.has(kind) ? context.raise(kind, source, value) : undefined) }, granted);
  const implementations = host.implementations();
  const imports: Record<string, Record<string, HostFn>> = {};
  const modules: AbiDefinition['modules'] = abiDefinition.modules;
  for (const [moduleName, spec] of Object.entries(modules)) {
    for (const [name, fn] of Object.entries(spec.functions)) {
      if (!fn.requires.every((cap) => granted.has(cap))) continue;
      const implementation = implementations[`${moduleName}.${name}`] ?? (() => status.Unsupported);
      // A host call is where a handler that loops through the host is caught: past the budget, it throws.
      (imports[moduleName] ??= {})[name] = (...args: number[]) => {
        budget.check();
        return implementation(...args);
      };
    }
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (cause) {
    throw new KernelError('kernel.link', `the module of ${fragment.instance} could not be instantiated: ${cause instanceof Error ? cause.message : String(cause)}`, { data, cause });
  }
  const exports = instance.exports as { memory: WebAssembly.Memory; _initialize: () => void; start?: () => number; selftest?: () => number; handle: (kind: number, source: number, value: number) => number } & Record<string, unknown>;
  host.memory = exports.memory;
  const fuel = exports[fuelExport] as WebAssembly.Global;
  const grow = exports[growExport] as WebAssembly.Global;
  const budgeted = <T>(run: () => T): T => {
    fuel.value = Math.min(2 ** 31 - 1, context.budgetMs * fuelPerMs);
    grow.value = 0;
    budget.begin();
    const pastMemory = (cause?: unknown): KernelError =>
      new KernelError('watchdog.memory', `${fragment.instance} asked for memory past the board's ${context.memoryPages} pages`, { data: { ...data, pages: exports.memory.buffer.byteLength / pageBytes, limit: context.memoryPages }, cause });
    let result: T;
    try {
      result = run();
    } catch (cause) {
      if (fuel.value === 0 || cause instanceof BudgetExceeded) {
        throw new KernelError('watchdog.event-budget', `${fragment.instance} ran past the board's budget of ${context.budgetMs} ms for one call`, { data: { ...data, budgetMs: context.budgetMs }, cause });
      }
      if (grow.value === -1) throw pastMemory(cause);
      throw cause;
    }
    // A module that asked for more than the board has is stopped even when it coped with the refusal.
    if (grow.value === -1) throw pastMemory();
    return result;
  };
  return {
    instance: fragment.instance,
    app: fragment.app,
    handles: host.handlesByDevice,
    linked: Object.keys(imports).sort(),
    initialize: () => budgeted(() => exports._initialize()),
    start: () => budgeted(() => exports.start?.()),
    selfTest: () => budgeted(() => exports.selftest?.()),
    handle: (kind, source, value) => budgeted(() => exports.handle(kind, source, value)),
    memoryPages: () => exports.memory.buffer.byteLength / pageBytes,
    close: () => host.close(),
  };
}

class Host {
  memory: WebAssembly.Memory | undefined;
  readonly handlesByDevice = new Map<string, number>();
  readonly #context: FragmentContext;
  readonly #aliases = new Map<string, number>();
  readonly #devices = new Map<number, string>();
  readonly #timers = new Map<number, () => void>();
  readonly #granted: ReadonlySet<string>;
  readonly #memory = wasmMemoryAccess(() => this.memory);
  #modules: HostModule | undefined;
  #nextTimer = 1;

  constructor(context: FragmentContext, granted: ReadonlySet<string>) {
    this.#context = context;
    this.#granted = granted;
    // Handles are small integers in the order of the fragment's bindings: stable for one config.
    let next = 1;
    // A need bound across a circuit is known to the board's devices by the circuit's id, and
    // reached only when the policy grants the fragment `channel`: without it, config.device
    // answers NotFound as for a need the board cannot serve.
    for (const [alias, binding] of Object.entries(context.fragment.bindings)) {
      const device = binding.local ? binding.device : granted.has('channel') ? binding.circuit : undefined;
      if (device === undefined) continue;
      const handle = this.handlesByDevice.get(device) ?? next++;
      this.#aliases.set(alias, handle);
      this.#devices.set(handle, device);
      this.handlesByDevice.set(device, handle);
    }
  }

  close(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#modules?.close();
  }

  implementations(): Record<string, HostFn> {
    const c = this.#context;
    this.#modules = deviceModules({
      ...this.#memory,
      devices: c.devices,
      handles: this.#devices,
      granted: this.#granted,
      fragment: c.fragment.instance,
      clips: fragmentClips(c.fragment.clips, c.devices.clips),
      raise: c.raise,
      log: c.log,
    });
    return {
      ...this.#modules.functions,
      'config.device': (ptr = 0, len = 0) => {
        const alias = this.#text(ptr, len);
        return alias === undefined ? status.BadArgument : (this.#aliases.get(alias) ?? status.NotFound);
      },
      'config.read': (keyPtr = 0, keyLen = 0, bufPtr = 0, bufCap = 0) => {
        const key = this.#text(keyPtr, keyLen);
        if (key === undefined) return status.BadArgument;
        const value = this.#configValue(key);
        if (value === undefined) return status.NotFound;
        const encoded = new TextEncoder().encode(value);
        if (encoded.length <= bufCap && !this.#memory.write(bufPtr, encoded)) return status.BadArgument;
        return encoded.length;
      },
      'log.write': (level = 0, ptr = 0, len = 0) => {
        const message = this.#text(ptr, len);
        if (message === undefined) return status.BadArgument;
        c.log(level, message);
        return status.Ok;
      },
      'clock.now': () => BigInt(Math.trunc(c.now())),
      'clock.monotonic': () => BigInt(Math.trunc(c.monotonic())),
      'clock.utcOffset': () => 0,
      'clock.setTimer': (delay = 0, period = 0) => {
        if (delay < 0 || period < 0) return status.BadArgument;
        const id = this.#nextTimer++;
        const cancel = c.schedule(delay, period, () => {
          if (period === 0) this.#timers.delete(id);
          c.raise(abiCodes.event.Timer, id, 0);
        });
        this.#timers.set(id, cancel);
        return id;
      },
      'clock.cancelTimer': (id = 0) => {
        const cancel = this.#timers.get(id);
        if (cancel === undefined) return status.NotFound;
        cancel();
        this.#timers.delete(id);
        return status.Ok;
      },
      'gpio.read': (handle = 0) => {
        const device = this.#digital(handle);
        return device === undefined ? status.BadHandle : device.read();
      },
      'gpio.write': (handle = 0, level = 0) => {
        const device = this.#digital(handle);
        if (device?.output !== true) return status.BadHandle;
        if (level !== 0 && level !== 1) return status.BadArgument;
        device.write(level);
        return status.Ok;
      },
    };
  }

  #digital(handle: number) {
    const device = this.#devices.get(handle);
    return device === undefined ? undefined : this.#context.devices.digital(device);
  }

  #text(ptr: number, len: number): string | undefined {
    const bytes = this.#memory.bytes(ptr, len);
    return bytes === undefined ? undefined : decodeUtf8(bytes);
  }

  #configValue(key: string): string | undefined {
    const { config, fragment } = this.#context;
    const fixed: Record<string, string | undefined> = {
      'building.id': config.building?.id,
      'building.name': config.building?.name,
      'building.timezone': config.building?.timezone,
      'board.id': config.board.id,
      'board.type': config.board.type,
      'app.name': fragment.app,
      'app.instance': fragment.instance,
      'space.id': config.board.space.at(-1),
      'space.kind': config.board.place?.kind,
      'space.name': config.board.place?.name ?? config.board.space.at(-1),
      'space.path': config.board.space.join('/'),
    };
    if (Object.hasOwn(fixed, key)) return fixed[key];
    const device = /^device\.([^.]+)\.(.+)$/.exec(key);
    if (device === null) return undefined;
    const [, alias = '', setting = ''] = device;
    const binding = fragment.bindings[alias];
    if (binding === undefined) return undefined;
    if (setting === 'driver') return binding.driver;
    if (setting === 'board') return binding.board;
    const value = binding.local ? config.devices[binding.device]?.settings[setting] : undefined;
    return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  }
}
