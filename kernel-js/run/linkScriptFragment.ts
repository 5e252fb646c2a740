import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { alwaysGranted } from '../../lib/capabilities.js';
import { abiDefinition, abiFunction, eventKindsOf } from '../../userland/abi/index.js';
import type { AbiParam } from '../../userland/abi/AbiSpec.js';
import { KernelError } from '../KernelError.js';
import { abiCodes } from '../host/abiCodes.js';
import type { FragmentContext } from '../host/FragmentContext.js';
import { FragmentHost } from '../host/FragmentHost.js';
import type { LinkedFragment } from '../host/linkFragment.js';
import { CallBudget } from './CallBudget.js';
import type { ScriptEngine } from './ScriptEngine.js';
import type { ScriptModule } from './ScriptModule.js';

const { status } = abiCodes;
const pageBytes = 65_536;
/** Where a host call's arguments and results are staged for the host functions, which read and write a module's memory. */
const scratchBytes = 1 << 20;

/** An uncaught exception of a script's entry point: the watchdog counts it as it counts a WebAssembly trap. */
export class ScriptTrap extends Error {
  override readonly name = 'ScriptTrap';
}

/**
 * Links one fragment of an app written in TypeScript (a ScriptModule) to the board, as
 * linkFragment links a WebAssembly one, and answers the same LinkedFragment:
 * - The same refusals at link time: an ABI version the shim does not implement, a function the
 *   ABI does not have, or one whose capability the fragment is not granted (`kernel.ungranted-import`).
 * - The same host functions (FragmentHost), reached through `osmoseHost["module.name"](...)` in
 *   the script: strings and bytes are staged in a scratch memory the host functions read as
 *   they read a module's, and what they write back is taken with `osmoseHost.output()`.
 * - The same watchdog: each call runs on the board's budget, checked by the engine's interrupt
 *   handler and at every host call (`watchdog.event-budget`); the runtime's heap is limited to
 *   the board's memory (`watchdog.memory`); an uncaught exception is a trap (ScriptTrap).
 */
export function linkScriptFragment(engine: ScriptEngine, script: ScriptModule, context: FragmentContext): LinkedFragment {
  const { fragment } = context;
  const data = { app: fragment.app, instance: fragment.instance };
  const imports: readonly string[] = script.imports;
  if (script.format !== 1 || typeof script.source !== 'string' || !isTextList(imports) || !Number.isInteger(script.abi)) {
    throw new KernelError('kernel.malformed', `the script of ${fragment.instance} is not an osmose script module (format 1)`, { data });
  }
  if (script.abi < 1 || script.abi > abiDefinition.version) {
    throw new KernelError('kernel.abi-version', `the script of ${fragment.instance} was built for ABI ${script.abi}; this shim implements ABI 1 to ${abiDefinition.version}`, {
      hint: 'update the board (osmose rollout) before giving it apps built by a newer osmose',
      data: { ...data, version: script.abi },
    });
  }
  const unknown = imports.filter((name) => abiFunctionOf(name) === undefined);
  if (unknown.length > 0) {
    throw new KernelError('kernel.abi', `the script of ${fragment.instance} calls ${unknown.join(', ')}, which the ABI does not have`, { data: { ...data, unknown } });
  }
  const granted = new Set<string>([...alwaysGranted, ...fragment.capabilities]);
  const ungranted = imports.flatMap((name) => {
    const missing = (abiFunctionOf(name)?.requires ?? []).filter((cap) => !granted.has(cap));
    return missing.length === 0 ? [] : [{ import: name, missing }];
  });
  if (ungranted.length > 0) {
    throw new KernelError(
      'kernel.ungranted-import',
      `${fragment.instance} imports ${ungranted.map((u) => `${u.import} (needs ${u.missing.join(', ')})`).join(', ')}, which its policy does not grant; the shim does not link it`,
      { hint: 'grant the capability in the policies and rebuild, or remove the import from the app', data: { ...data, ungranted, granted: [...granted] } },
    );
  }

  const kinds = eventKindsOf(script.abi);
  const host = new FragmentHost({ ...context, raise: (kind, source, value) => (kinds.has(kind) ? context.raise(kind, source, value) : undefined) }, granted);
  const scratch = new WebAssembly.Memory({ initial: scratchBytes / pageBytes, maximum: scratchBytes / pageBytes });
  host.memory = scratch;
  const implementations = host.implementations();
  const budget = new CallBudget(context.budgetMs, context.clock ?? performance.now.bind(performance));
  const runtime = engine.quickjs.newRuntime();
  runtime.setMemoryLimit(context.memoryPages * pageBytes);
  let interrupted = false;
  runtime.setInterruptHandler(() => (interrupted ||= budget.spent()));
  const vm = runtime.newContext();
  let output: Uint8Array | Int32Array | undefined;

  const hostObject = vm.newObject();
  for (const name of [...new Set(imports)].sort()) {
    const spec = abiFunctionOf(name);
    const implementation = implementations[name];
    if (spec === undefined) continue;
    const fn = vm.newFunction(name, (...args: QuickJSHandle[]) => {
      if (budget.spent()) {
        interrupted = true;
        throw new Error(`${name}: the call ran past its budget`);
      }
      const staged = stage(vm, scratch, spec.params, args);
      if (staged === undefined) return vm.newNumber(status.BadArgument);
      const result = Number(implementation === undefined ? status.Unsupported : implementation(...staged.numbers));
      output = staged.take(result);
      return vm.newNumber(result);
    });
    vm.setProp(hostObject, name, fn);
    fn.dispose();
  }
  const take = vm.newFunction('output', () => {
    const taken = output;
    output = undefined;
    if (taken === undefined) return vm.undefined;
    if (taken instanceof Int32Array) return vm.unwrapResult(vm.evalCode(JSON.stringify([...taken])));
    return vm.newArrayBuffer(taken.slice().buffer);
  });
  vm.setProp(hostObject, 'output', take);
  take.dispose();
  vm.setProp(vm.global, 'osmoseHost', hostObject);
  hostObject.dispose();

  let app: QuickJSHandle | undefined;
  const entry = (name: 'start' | 'handle' | 'selftest'): QuickJSHandle | undefined => {
    if (app === undefined) return undefined;
    const fn = vm.getProp(app, name);
    if (vm.typeof(fn) === 'function') return fn;
    fn.dispose();
    return undefined;
  };
  const budgeted = (what: string, run: () => ReturnType<QuickJSContext['evalCode']>): number | undefined => {
    budget.begin();
    interrupted = false;
    const result = run();
    if (result.error === undefined) {
      const value = vm.typeof(result.value) === 'number' ? vm.getNumber(result.value) : undefined;
      result.value.dispose();
      return value;
    }
    const error = dumpError(vm, result.error);
    result.error.dispose();
    // Out of memory, the engine throws what it can: an InternalError, or nothing at all.
    const message = error === null || error === undefined ? 'InternalError: out of memory' : typeof error === 'string' ? error : `${error.name ?? 'Error'}: ${error.message ?? ''}`;
    if (interrupted) {
      throw new KernelError('watchdog.event-budget', `${fragment.instance} ran past the board's budget of ${context.budgetMs} ms for one call`, { data: { ...data, budgetMs: context.budgetMs } });
    }
    if (/out of memory/i.test(message)) {
      throw new KernelError('watchdog.memory', `${fragment.instance} asked for memory past the board's ${context.memoryPages} pages`, { data: { ...data, limit: context.memoryPages } });
    }
    throw new ScriptTrap(`${fragment.instance}: ${what}: ${message}`);
  };
  const memoryPages = (): number => {
    const usage = runtime.computeMemoryUsage();
    const size = vm.getProp(usage, 'memory_used_size');
    const used = vm.getNumber(size);
    size.dispose();
    usage.dispose();
    return Math.ceil(used / pageBytes);
  };
  const call = (name: 'start' | 'handle' | 'selftest', args: readonly number[]): number | undefined => {
    const fn = entry(name);
    if (fn === undefined) return undefined;
    const handles = args.map((arg) => vm.newNumber(arg));
    try {
      return budgeted(name, () => vm.callFunction(fn, vm.undefined, ...handles));
    } finally {
      for (const handle of handles) handle.dispose();
      fn.dispose();
    }
  };

  return {
    instance: fragment.instance,
    app: fragment.app,
    handles: host.handlesByDevice,
    linked: [...new Set(imports.map((name) => name.split('.')[0] ?? ''))].sort(),
    initialize: () => {
      budgeted('initialisation', () => vm.evalCode(script.source, `${fragment.app}.js`));
      const found = vm.getProp(vm.global, 'osmoseApp');
      if (vm.typeof(found) !== 'object') {
        found.dispose();
        throw new ScriptTrap(`${fragment.instance}: the script did not set globalThis.osmoseApp`);
      }
      app = found;
    },
    start: () => call('start', []),
    selfTest: () => call('selftest', []),
    // An app that answers nothing (undefined) handled the event: Ok, as `return Status.Ok` says.
    handle: (kind, source, value) => call('handle', [kind, source, value]) ?? status.Ok,
    memoryPages,
    close: () => {
      host.close();
      app?.dispose();
      vm.dispose();
      runtime.dispose();
    },
  };
}

/** Whether a script module's list of imports is a list of text (it arrives as JSON from the image). */
function isTextList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function dumpError(vm: QuickJSContext, error: QuickJSHandle): { name?: string; message?: string } | string | null | undefined {
  try {
    return vm.dump(error) as { name?: string; message?: string } | string | null | undefined;
  } catch {
    return undefined;
  }
}

function abiFunctionOf(name: string): { readonly params: readonly AbiParam[]; readonly requires: readonly string[] } | undefined {
  const dot = name.indexOf('.');
  return dot <= 0 ? undefined : abiFunction(name.slice(0, dot), name.slice(dot + 1));
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
  if (vm.typeof(handle) === 'string') return new TextEncoder().encode(vm.getString(handle));
  try {
    const lifetime = vm.getArrayBuffer(handle);
    const copy = lifetime.value.slice();
    lifetime.dispose();
    return copy;
  } catch {
    return undefined;
  }
}
