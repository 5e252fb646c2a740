import { readScriptEngine } from '../../builder/compile/readScriptEngine.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { compileApp } from '../../builder/compile/compileApp.js';
import { compileScriptApp, scriptEntry } from '../../builder/compile/compileScriptApp.js';
import { CallBudget } from '../../kernel-js/run/CallBudget.js';
import { ScriptEngine } from '../../kernel-js/run/ScriptEngine.js';
import { ScriptInstance } from '../../kernel-js/run/ScriptInstance.js';
import { scriptSection } from '../../userland/abi/scriptContainer.js';
import { formatIssues } from '../../builder/validate/formatIssues.js';
import { abiDefinition } from '../../userland/abi/abiDefinition.js';
import type { HostImports } from '../../userland/abi/HostImports.js';
import { shippedAppsDir } from '../../userland/shippedApps.js';

// A fake board for testing one app: the host side of the ABI, typed from the ABI definition
// (HostImports) as kernel-js's host is, recording every call the app makes to a device or
// service in a readable form. A test links only the modules the app imports, so a module
// the app was not given fails to link: the capability boundary, as on a board. An app in plain
// TypeScript (src/index.ts) runs in the board's script engine on the same fake host functions.

type Codes<T extends Record<string, { code: number }>> = { readonly [K in keyof T]: number };
const codesOf = <T extends Record<string, { code: number }>>(table: T): Codes<T> =>
  Object.fromEntries(Object.entries(table).map(([name, entry]) => [name, entry.code])) as Codes<T>;

/** The ABI's status codes by name: `Status.Ok`, `Status.NotFound`, … */
export const Status = codesOf(abiDefinition.status);
/** The ABI's event kinds by name: `EventKind.Press`, `EventKind.Arrived`, … */
export const EventKind = codesOf(abiDefinition.events);
/** The ABI's log levels by name. */
export const LogLevel = codesOf(abiDefinition.logLevels);

export type ModuleName = keyof HostImports;

/** The board's script engine, started by the first script app compiled. */
let engine: ScriptEngine | undefined;
/** A host function by its import name, such as `gpio.write`. */
export type FunctionName = { [M in ModuleName]: `${M}.${keyof HostImports[M] & string}` }[ModuleName];

export interface CompiledApp {
  readonly module: WebAssembly.Module;
  /** The host modules it imports, sorted. */
  readonly modules: readonly string[];
  /** The host functions it imports (`gpio.write`), sorted. */
  readonly functions: readonly string[];
}

/** Compiles an app of userland/apps/ (every file of its folder) as the builder does. */
export async function compileShippedApp(name: string): Promise<CompiledApp> {
  const dir = join(shippedAppsDir(), name);
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  const script = files.has(scriptEntry) && !files.has('assembly/index.ts');
  const result = await (script ? compileScriptApp : compileApp)({ app: name, files });
  if (!result.ok) throw new Error(formatIssues(result.issues));
  if (script) engine ??= await ScriptEngine.load(await readScriptEngine());
  const functions = result.imports.map((i) => `${i.module}.${i.name}`);
  return {
    module: new WebAssembly.Module(result.wasm),
    modules: [...new Set(result.imports.map((i) => i.module))].sort(),
    functions: [...new Set(functions)].sort(),
  };
}

/**
 * The capability boundary: for each module of `modules`, links the app with all the others
 * and returns those it linked without. Empty when every module it was given is one it
 * cannot do without, as a board that withholds an ungranted module relies on.
 */
export function modulesItLinksWithout(compiled: CompiledApp, modules: readonly ModuleName[]): ModuleName[] {
  return modules.filter((left) => {
    try {
      new FakeBoard().link(compiled.module, modules.filter((name) => name !== left));
      return true;
    } catch (error) {
      // A missing module is a TypeError, a missing function a LinkError: both name the module.
      if (!String(error).includes(`module="${left}"`)) throw error;
      return false;
    }
  });
}

/** One call the app made: the function and its arguments, with text and arrays read out of memory. */
export type HostCall = readonly [FunctionName, ...unknown[]];

export interface FakeBoardOptions {
  /** The devices bound to the app's needs: alias → handle. An alias not here is NotFound. */
  readonly devices?: Readonly<Record<string, number>>;
  /** Configuration keys (`space.name`, `settings.preheatFrom`). A key not here is NotFound. */
  readonly config?: Readonly<Record<string, string>>;
  /** The person handles present in the app's space. */
  readonly people?: readonly number[];
  /** Where each person is expected: person → space id. */
  readonly destinations?: Readonly<Record<number, string>>;
  /** The person handles expected in the app's space and not there yet. */
  readonly expected?: readonly number[];
  /** Each person's preferences, in the ABI's units (temperature in tenths of °C): person → name → value. */
  readonly preferences?: Readonly<Record<number, Readonly<Record<string, number>>>>;
  /** Wall-clock time, ms since the epoch, and the building's UTC offset in minutes. */
  readonly now?: number;
  readonly utcOffset?: number;
  /** Screen size answered by display.width and display.height. */
  readonly screen?: { readonly width: number; readonly height: number };
  /** Whether the speakers are directional; when not, audio.play aimed at a person is Unsupported. */
  readonly directional?: boolean;
}

export interface Timer {
  readonly id: number;
  readonly delay: number;
  readonly period: number;
  cancelled: boolean;
}

export interface RunningApp {
  /** Calls the module's `start` export; undefined when it has none. */
  start(): number | undefined;
  handle(kind: number, source: number, value: number): number;
}

/**
 * The state of one fake board and the host functions that act on it. Change the state
 * (people, now, failures) between events; read what the app did in `calls`, `logs` and
 * `timers`.
 */
export class FakeBoard {
  readonly calls: HostCall[] = [];
  readonly logs: { level: number; text: string }[] = [];
  readonly timers: Timer[] = [];
  devices: Record<string, number>;
  config: Record<string, string>;
  people: number[];
  destinations: Record<number, string>;
  expected: number[];
  preferences: Record<number, Readonly<Record<string, number>>>;
  now: number;
  utcOffset: number;
  screen: { width: number; height: number };
  directional: boolean;
  private readonly failures = new Map<FunctionName, number>();
  private memory: WebAssembly.Memory | undefined;
  private nextKey = 100;

  constructor(options: FakeBoardOptions = {}) {
    this.devices = { ...options.devices };
    this.config = { ...options.config };
    this.people = [...(options.people ?? [])];
    this.destinations = { ...options.destinations };
    this.expected = [...(options.expected ?? [])];
    this.preferences = { ...options.preferences };
    this.now = options.now ?? Date.UTC(2025, 0, 15, 12);
    this.utcOffset = options.utcOffset ?? 0;
    this.screen = { ...(options.screen ?? { width: 800, height: 480 }) };
    this.directional = options.directional ?? true;
  }

  /** From now on, `name` answers `status` (a negative Status) instead of working; undefined heals it. */
  fail(name: FunctionName, status: number | undefined): void {
    if (status === undefined) this.failures.delete(name);
    else this.failures.set(name, status);
  }

  /** The arguments of every call of one function, in order. */
  callsOf(name: FunctionName): unknown[][] {
    return this.calls.filter((call) => call[0] === name).map((call) => call.slice(1));
  }

  /** Instantiates the app with exactly these host modules, then runs its top-level code. */
  link(module: WebAssembly.Module, modules: readonly ModuleName[]): RunningApp {
    const all = this.imports();
    const given: Partial<HostImports> = Object.fromEntries(modules.map((name) => [name, all[name]]));
    const [script] = WebAssembly.Module.customSections(module, scriptSection);
    if (script !== undefined) return this.#linkScript(module, new TextDecoder().decode(script), given);
    const instance = new WebAssembly.Instance(module, given);
    this.memory = instance.exports['memory'] as WebAssembly.Memory;
    (instance.exports['_initialize'] as () => void)();
    const start = instance.exports['start'] as (() => number) | undefined;
    const handle = instance.exports['handle'] as (kind: number, source: number, value: number) => number;
    return { start: () => start?.(), handle: (kind, source, value) => handle(kind, source, value) };
  }

  /**
   * A script app on this board: the engine runs it with the given modules' functions, which
   * read and write a scratch memory as they would a module's. A module it imports and was not
   * given fails the link as a WebAssembly import would, naming it.
   */
  #linkScript(module: WebAssembly.Module, source: string, given: Partial<HostImports>): RunningApp {
    if (engine === undefined) throw new Error('compile the app with compileShippedApp first: it starts the script engine');
    const imports = WebAssembly.Module.imports(module).map((entry) => `${entry.module}.${entry.name}`);
    const missing = WebAssembly.Module.imports(module).find((entry) => !(entry.module in given));
    if (missing !== undefined) throw new TypeError(`the script imports ${missing.module}.${missing.name}, and no module="${missing.module}" was given`);
    const functions = Object.fromEntries(
      Object.entries(given).flatMap(([moduleName, functions]) => Object.entries(functions as Record<string, (...args: number[]) => number | bigint>).map(([name, fn]) => [`${moduleName}.${name}`, fn])),
    );
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: 16 });
    const instance = new ScriptInstance({ engine, source, filename: 'app.js', imports, functions, scratch: this.memory, memoryBytes: 16 << 20, budget: new CallBudget(1_000, { wall: () => performance.now() }) });
    instance.initialize();
    return { start: () => instance.call('start', []), handle: (kind, source, value) => instance.call('handle', [kind, source, value]) ?? Status.Ok };
  }

  /** Every host module of the ABI, acting on this board. */
  imports(): HostImports {
    const call = (name: FunctionName, args: unknown[], work: () => number): number => {
      this.calls.push([name, ...args]);
      return this.failures.get(name) ?? work();
    };
    const ok = () => Status.Ok;
    return {
      config: {
        device: (ptr, len) => this.devices[this.text(ptr, len)] ?? Status.NotFound,
        read: (ptr, len, buf, cap) => {
          const value = this.config[this.text(ptr, len)];
          return value === undefined ? Status.NotFound : this.copyOut(new TextEncoder().encode(value), buf, cap);
        },
      },
      log: {
        write: (level, ptr, len) => {
          this.logs.push({ level, text: this.text(ptr, len) });
          return Status.Ok;
        },
      },
      clock: {
        now: () => BigInt(this.now),
        monotonic: () => 0n,
        utcOffset: () => this.utcOffset,
        setTimer: (delay, period) => {
          const id = this.timers.length + 1;
          this.timers.push({ id, delay, period, cancelled: false });
          return id;
        },
        cancelTimer: (timer) => {
          const found = this.timers.find((t) => t.id === timer && !t.cancelled);
          if (found === undefined) return Status.NotFound;
          found.cancelled = true;
          return Status.Ok;
        },
      },
      gpio: {
        read: (handle) => call('gpio.read', [handle], () => 0),
        write: (handle, level) => call('gpio.write', [handle, level], ok),
      },
      serial: {
        read: (handle, _ptr, cap) => call('serial.read', [handle, cap], () => 0),
        write: (handle, ptr, len) => call('serial.write', [handle, this.bytes(ptr, len)], () => len),
      },
      audio: {
        start: (handle) => call('audio.start', [handle], ok),
        stop: (handle) => call('audio.stop', [handle], ok),
        read: (handle, _ptr, cap) => call('audio.read', [handle, cap], () => 0),
        record: (handle, vault, key) => call('audio.record', [handle, vault, key], ok),
        write: (handle, ptr, len) => call('audio.write', [handle, this.bytes(ptr, len)], () => len),
        play: (handle, ptr, len, person) => call('audio.play', [handle, this.text(ptr, len), person], () => (person === -1 || this.directional ? Status.Ok : Status.Unsupported)),
      },
      display: {
        width: (handle) => call('display.width', [handle], () => this.screen.width),
        height: (handle) => call('display.height', [handle], () => this.screen.height),
        clear: (handle, color) => call('display.clear', [handle, color], ok),
        fill: (handle, x, y, w, h, color) => call('display.fill', [handle, x, y, w, h, color], ok),
        text: (handle, x, y, size, color, ptr, len) => call('display.text', [handle, x, y, size, color, this.text(ptr, len)], ok),
        blit: (handle, x, y, w, h, ptr, len) => call('display.blit', [handle, x, y, w, h, this.bytes(ptr, len)], ok),
        flush: (handle) => call('display.flush', [handle], ok),
      },
      enclave: {
        groupKey: (handle, ptr, count) => call('enclave.groupKey', [handle, this.i32s(ptr, count)], () => this.nextKey++),
        dropKey: (handle, key) => call('enclave.dropKey', [handle, key], ok),
        seal: (handle, key, ptr, len) => call('enclave.seal', [handle, key, this.bytes(ptr, len)], ok),
      },
      channel: {
        open: (ptr, len) => call('channel.open', [this.text(ptr, len)], () => Status.NotFound),
        send: (handle, ptr, len) => call('channel.send', [handle, this.bytes(ptr, len)], ok),
        receive: (handle, _ptr, cap) => call('channel.receive', [handle, cap], () => Status.NotFound),
      },
      presence: {
        count: () => call('presence.count', [], () => this.people.length),
        list: (ptr, count) => call('presence.list', [count], () => this.copyHandles(this.people, ptr, count)),
        expected: (ptr, count) => call('presence.expected', [count], () => this.copyHandles(this.expected, ptr, count)),
        preference: (person, ptr, len) =>
          call('presence.preference', [person, this.text(ptr, len)], () => {
            const known = this.people.includes(person) || this.expected.includes(person);
            return (known ? this.preferences[person]?.[this.text(ptr, len)] : undefined) ?? Status.NotFound;
          }),
        destination: (person, buf, cap) =>
          call('presence.destination', [person], () => {
            const space = this.destinations[person];
            return space === undefined ? Status.NotFound : this.copyOut(new TextEncoder().encode(space), buf, cap);
          }),
      },
    };
  }

  // The memory grows during calls into the module: read its buffer afresh each time.
  private buffer(): ArrayBuffer {
    if (this.memory === undefined) throw new Error('the app called the host before its memory was known');
    return this.memory.buffer;
  }

  private bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.buffer(), ptr, len).slice();
  }

  private text(ptr: number, len: number): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(ptr, len));
  }

  private i32s(ptr: number, count: number): number[] {
    const view = new DataView(this.buffer(), ptr, 4 * count);
    return Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
  }

  // Handles as i32s, as many as fit; the answer is how many there are.
  private copyHandles(people: readonly number[], ptr: number, count: number): number {
    const out = new DataView(this.buffer(), ptr, 4 * count);
    people.slice(0, count).forEach((person, i) => out.setInt32(4 * i, person, true));
    return people.length;
  }

  // The ABI's way back: copy what fits, return the full length.
  private copyOut(value: Uint8Array, ptr: number, cap: number): number {
    new Uint8Array(this.buffer(), ptr, Math.min(cap, value.length)).set(value.subarray(0, cap));
    return value.length;
  }
}
