import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { AbiParam } from '../../userland/abi/AbiSpec.js';
import { abiFunctionNamed } from '../../userland/abi/index.js';
import { abiCodes } from '../host/abiCodes.js';
import type { HostFn } from '../host/FragmentHost.js';
import type { CallBudget } from './CallBudget.js';
import type { ScriptEngine } from './ScriptEngine.js';

const { status } = abiCodes;
const utf8 = new TextEncoder();

/** A call of a script's entry point ran past its budget (the engine's interrupt handler, or a host call, saw it). */
export class ScriptBudgetExceeded extends Error {
  override readonly name = 'ScriptBudgetExceeded';
}

/** The script asked for more heap than its runtime's limit. */
export class ScriptOutOfMemory extends Error {
  override readonly name = 'ScriptOutOfMemory';
}

/** The script does not compile (a syntax error): the module is malformed. */
export class ScriptCompileError extends Error {
  override readonly name = 'ScriptCompileError';
}

/** An uncaught exception of a script's entry point: the watchdog counts it as it counts a WebAssembly trap. */
export class ScriptTrap extends Error {
  override readonly name = 'ScriptTrap';
}

export interface ScriptInstanceOptions {
  readonly engine: ScriptEngine;
  readonly source: string;
  /** Named in the engine's stack traces: `APP.js`. */
  readonly filename: string;
  /** The ABI functions the script may call, `module.name`: each is `osmoseHost["module.name"]` in the script. */
  readonly imports: readonly string[];
  /** Their implementations, which read and write `scratch` as a module's memory. */
  readonly functions: Readonly<Record<string, HostFn>>;
  readonly scratch: WebAssembly.Memory;
  /** The runtime's heap limit. */
  readonly memoryBytes: number;
  readonly budget: CallBudget;
}

/**
 * One script in a runtime of its own in the board's engine: `osmoseHost` set up with the
 * functions given, the script run by initialize(), and its entry points (set on
 * `globalThis.osmoseApp`) called by call(). What a call cannot finish is thrown as
 * ScriptBudgetExceeded, ScriptOutOfMemory or ScriptTrap. kernel-js links fragments with it
 * (linkScriptFragment); the apps' tests run scripts on their fake host with it.
 */
export class ScriptInstance {
  readonly #o: ScriptInstanceOptions;
  readonly #runtime: QuickJSRuntime;
  readonly #vm: QuickJSContext;
  #interrupted = false;
  /** Time the current call spent in host functions: the engine's own time is the call's less this. */
  #hostMs = 0;
  /** Whether a call is running: compiling the script at link time is on no call's budget. */
  #inCall = false;
  #output: Uint8Array | Int32Array | undefined;
  #app: QuickJSHandle | undefined;
  /** The script compiled, not yet run: a function whose body is the script. */
  readonly #main: QuickJSHandle;

  constructor(options: ScriptInstanceOptions) {
    this.#o = options;
    const { budget, scratch } = options;
    this.#runtime = options.engine.quickjs.newRuntime();
    this.#runtime.setMemoryLimit(options.memoryBytes);
    // As a WebAssembly app's fuel counts only its own instructions, the engine is interrupted
    // for its own time past the budget; a host call checks the call's whole time, as it does for one.
    this.#runtime.setInterruptHandler(() => (this.#interrupted ||= this.#inCall && budget.elapsed() - this.#hostMs > budget.ms));
    const vm = this.#runtime.newContext();
    this.#vm = vm;
    const hostObject = vm.newObject();
    for (const name of [...new Set(options.imports)].sort()) {
      const spec = abiFunctionNamed(name);
      const implementation = options.functions[name];
      if (spec === undefined) continue;
      const fn = vm.newFunction(name, (...args: QuickJSHandle[]) => {
        if (budget.spent()) {
          this.#interrupted = true;
          throw new Error(`${name}: the call ran past its budget`);
        }
        const staged = stage(vm, scratch, spec.params, args);
        if (staged === undefined) return vm.newNumber(status.BadArgument);
        const entered = budget.now();
        const result = Number(implementation === undefined ? status.Unsupported : implementation(...staged.numbers));
        this.#hostMs += budget.now() - entered;
        this.#output = staged.take(result);
        return vm.newNumber(result);
      });
      vm.setProp(hostObject, name, fn);
      fn.dispose();
    }
    const take = vm.newFunction('output', () => {
      const taken = this.#output;
      this.#output = undefined;
      if (taken === undefined) return vm.undefined;
      if (taken instanceof Int32Array) return vm.unwrapResult(vm.evalCode(JSON.stringify([...taken])));
      return vm.newArrayBuffer(taken.slice().buffer);
    });
    vm.setProp(hostObject, 'output', take);
    take.dispose();
    vm.setProp(vm.global, 'osmoseHost', hostObject);
    hostObject.dispose();
    // Compiled here, as a WebAssembly module is compiled when it is linked: the engine's compiler
    // runs once, outside any call's budget; initialize() then runs the script's top level.
    const compiled = vm.evalCode(`(function () {\n${options.source}\n})`, options.filename);
    if (compiled.error !== undefined) {
      const error = dumpError(vm, compiled.error);
      compiled.error.dispose();
      this.close();
      throw new ScriptCompileError(typeof error === 'object' && error !== null ? `${error.name ?? 'Error'}: ${error.message ?? ''}` : String(error));
    }
    this.#main = compiled.value;
  }

  /** Runs the script (its top level), which must set `globalThis.osmoseApp`. */
  initialize(): void {
    this.#budgeted('initialisation', () => this.#vm.callFunction(this.#main, this.#vm.undefined));
    const found = this.#vm.getProp(this.#vm.global, 'osmoseApp');
    if (this.#vm.typeof(found) !== 'object') {
      found.dispose();
      throw new ScriptTrap('the script did not set globalThis.osmoseApp');
    }
    this.#app = found;
  }

  /** Calls an entry point with numbers; its number back, or undefined when it has no such entry point or answered something else. */
  call(name: 'start' | 'handle' | 'selftest', args: readonly number[]): number | undefined {
    const vm = this.#vm;
    if (this.#app === undefined) return undefined;
    const fn = vm.getProp(this.#app, name);
    if (vm.typeof(fn) !== 'function') {
      fn.dispose();
      return undefined;
    }
    const handles = args.map((arg) => vm.newNumber(arg));
    try {
      return this.#budgeted(name, () => vm.callFunction(fn, vm.undefined, ...handles));
    } finally {
      for (const handle of handles) handle.dispose();
      fn.dispose();
    }
  }

  /** Bytes of heap in use. */
  memoryUsed(): number {
    const usage = this.#runtime.computeMemoryUsage();
    const size = this.#vm.getProp(usage, 'memory_used_size');
    const used = this.#vm.getNumber(size);
    size.dispose();
    usage.dispose();
    return used;
  }

  /** Frees the script's runtime; closing twice (a stopped unikernel, then the board) is harmless. */
  close(): void {
    if (!this.#runtime.alive) return;
    if (this.#app?.alive === true) this.#app.dispose();
    // Undefined only when compiling failed, which closes before #main is set.
    if ((this.#main as QuickJSHandle | undefined)?.alive === true) this.#main.dispose();
    this.#vm.dispose();
    this.#runtime.dispose();
  }

  #budgeted(what: string, run: () => ReturnType<QuickJSContext['evalCode']>): number | undefined {
    const vm = this.#vm;
    this.#o.budget.begin();
    this.#interrupted = false;
    this.#hostMs = 0;
    this.#inCall = true;
    let result: ReturnType<QuickJSContext['evalCode']>;
    try {
      result = run();
    } finally {
      this.#inCall = false;
    }
    if (result.error === undefined) {
      const value = vm.typeof(result.value) === 'number' ? vm.getNumber(result.value) : undefined;
      result.value.dispose();
      return value;
    }
    const error = dumpError(vm, result.error);
    result.error.dispose();
    // Out of memory, the engine throws what it can: an InternalError, or nothing at all.
    const message = error === null || error === undefined ? 'InternalError: out of memory' : typeof error === 'string' ? error : `${error.name ?? 'Error'}: ${error.message ?? ''}`;
    if (this.#interrupted) throw new ScriptBudgetExceeded(`${what} ran past its budget`);
    if (/out of memory/i.test(message)) throw new ScriptOutOfMemory(`${what}: ${message}`);
    throw new ScriptTrap(`${what}: ${message}`);
  }
}

function dumpError(vm: QuickJSContext, error: QuickJSHandle): { name?: string; message?: string } | string | null | undefined {
  try {
    return vm.dump(error) as { name?: string; message?: string } | string | null | undefined;
  } catch {
    return undefined;
  }
}

interface Staged {
  readonly numbers: number[];
  /** What the call wrote back for the script, given its result: bytes, person handles, or nothing. */
  readonly take: (result: number) => Uint8Array | Int32Array | undefined;
}

/**
 * The script's arguments as the host function's numbers, by the ABI's parameter names: a
 * `_ptr` and `_len` pair is one string or ArrayBuffer; `_ptr` and `_cap` a buffer the host
 * fills (the script gives its size); `out_ptr` and `out_count` handles the host writes (the
 * script gives how many); any other `_ptr` and `_count` a list of numbers; the rest numbers.
 * Undefined when something does not fit the scratch memory or is not of its kind.
 */
function stage(vm: QuickJSContext, scratch: WebAssembly.Memory, params: readonly AbiParam[], args: readonly QuickJSHandle[]): Staged | undefined {
  const memory = new Uint8Array(scratch.buffer);
  const numbers: number[] = [];
  let next = 0;
  let arg = 0;
  let reads: { ptr: number; length: number; ints: boolean } | undefined;
  const place = (length: number): number | undefined => {
    const at = next;
    if (length < 0 || at + length > memory.length) return undefined;
    next = at + length + ((8 - (length % 8)) % 8);
    return at;
  };
  for (let i = 0; i < params.length; i++) {
    const [name] = params[i] ?? [''];
    const [second] = params[i + 1] ?? [''];
    const handle = args[arg++];
    if (name.endsWith('_ptr') && (second.endsWith('_len') || second.endsWith('_cap') || second.endsWith('_count'))) {
      i++;
      if (second.endsWith('_len')) {
        const bytes = bytesOf(vm, handle);
        const at = bytes === undefined ? undefined : place(bytes.length);
        if (bytes === undefined || at === undefined) return undefined;
        memory.set(bytes, at);
        numbers.push(at, bytes.length);
      } else if (second.endsWith('_cap') || name === 'out_ptr') {
        const count = handle === undefined ? 0 : vm.getNumber(handle);
        const ints = name === 'out_ptr';
        const length = Number.isInteger(count) && count >= 0 ? count * (ints ? 4 : 1) : -1;
        const at = place(length);
        if (at === undefined) return undefined;
        reads = { ptr: at, length, ints };
        numbers.push(at, count);
      } else {
        const list = handle === undefined ? undefined : (vm.dump(handle) as unknown);
        if (!Array.isArray(list) || !list.every((item) => Number.isInteger(item))) return undefined;
        const at = place(list.length * 4);
        if (at === undefined) return undefined;
        list.forEach((item, index) => new DataView(scratch.buffer).setInt32(at + index * 4, item as number, true));
        numbers.push(at, list.length);
      }
      continue;
    }
    numbers.push(handle === undefined ? 0 : vm.getNumber(handle));
  }
  return {
    numbers,
    take: (result) => {
      if (reads === undefined || result < 0) return undefined;
      if (!reads.ints) return new Uint8Array(scratch.buffer, reads.ptr, Math.min(result, reads.length)).slice();
      const count = Math.min(result, reads.length / 4);
      return Int32Array.from({ length: count }, (_, index) => new DataView(scratch.buffer).getInt32(reads.ptr + index * 4, true));
    },
  };
}

function bytesOf(vm: QuickJSContext, handle: QuickJSHandle | undefined): Uint8Array | undefined {
  if (handle === undefined) return undefined;
  if (vm.typeof(handle) === 'string') return utf8.encode(textOf(vm, handle));
  try {
    const lifetime = vm.getArrayBuffer(handle);
    const copy = lifetime.value.slice();
    lifetime.dispose();
    return copy;
  } catch {
    return undefined;
  }
}

/**
 * A script's string as the host's. The engine hands strings over as C strings, which end at
 * the first U+0000; a string with one inside (its length says so) crosses as JSON instead,
 * which escapes it.
 */
function textOf(vm: QuickJSContext, handle: QuickJSHandle): string {
  const text = vm.getString(handle);
  const lengthHandle = vm.getProp(handle, 'length');
  const length = vm.getNumber(lengthHandle);
  lengthHandle.dispose();
  if (length === text.length) return text;
  const json = vm.getProp(vm.global, 'JSON');
  const stringify = vm.getProp(json, 'stringify');
  const escaped = vm.unwrapResult(vm.callFunction(stringify, json, handle));
  const parsed = JSON.parse(vm.getString(escaped)) as string;
  escaped.dispose();
  stringify.dispose();
  json.dispose();
  return parsed;
}
