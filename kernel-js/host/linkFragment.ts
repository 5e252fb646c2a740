import { alwaysGranted } from '../../lib/capabilities.js';
import { abiDefinition, abiFunction, type AbiDefinition, checkAbiConformance, eventKindsOf, readModuleAbiVersion, readWasmInterface, type WasmInterface } from '../../userland/abi/index.js';
import { KernelError } from '../KernelError.js';
import { compileMetered } from '../run/compileMetered.js';
import { fuelExport, growExport } from '../run/meterModule.js';
import { BudgetExceeded, CallBudget } from '../run/CallBudget.js';
import { abiCodes } from './abiCodes.js';
import { FragmentHost, type HostFn } from './FragmentHost.js';
import type { FragmentContext } from './FragmentContext.js';

export type { FragmentContext };

const { status } = abiCodes;
/** A WebAssembly memory page, the unit a board's memory limit is given in. */
export const pageBytes = 65_536;

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

/**
 * Fuel for one call: the metered module spends one unit per function entry and loop
 * iteration (run/meterModule.ts). No iteration takes much less than a nanosecond, so a call
 * that runs out of fuel has run for about its budget or longer; host calls check the clock.
 */
const fuelPerMs = 1_000_000;

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

  const budget = new CallBudget(context.budgetMs, { wall: context.clock ?? performance.now.bind(performance) });
  // A module hears only the event kinds of the version it was built for.
  const kinds = eventKindsOf(version ?? abiDefinition.version);
  const host = new FragmentHost({ ...context, raise: (kind, source, value) => (kinds.has(kind) ? context.raise(kind, source, value) : undefined) }, granted);
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
