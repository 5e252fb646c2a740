import { alwaysGranted } from '../../lib/capabilities.js';
import { abiDefinition, abiFunctionNamed, eventKindsOf } from '../../userland/abi/index.js';
import { KernelError } from '../KernelError.js';
import { abiCodes } from '../host/abiCodes.js';
import type { FragmentContext } from '../host/FragmentContext.js';
import { FragmentHost } from '../host/FragmentHost.js';
import { pageBytes, type LinkedFragment } from '../host/linkFragment.js';
import { CallBudget, processCpuMs } from './CallBudget.js';
import type { ScriptEngine } from './ScriptEngine.js';
import { ScriptBudgetExceeded, ScriptCompileError, ScriptInstance, ScriptOutOfMemory, ScriptTrap } from './ScriptInstance.js';
import type { ScriptModule } from './ScriptModule.js';

const { status } = abiCodes;
/** Where a host call's arguments and results are staged for the host functions, which read and write a module's memory. */
const scratchBytes = 1 << 20;

export { ScriptTrap };

/**
 * Links one fragment of an app written in TypeScript (a ScriptModule) to the board, as
 * linkFragment links a WebAssembly one, and answers the same LinkedFragment:
 * - The same refusals at link time: an ABI version the shim does not implement, a function the
 *   ABI does not have, or one whose capability the fragment is not granted (`kernel.ungranted-import`).
 * - The same host functions (FragmentHost), reached through `osmoseHost["module.name"](...)` in
 *   the script: strings and bytes are staged in a scratch memory the host functions read as
 *   they read a module's, and what they write back is taken with `osmoseHost.output()`.
 * - The same watchdog: each call runs on the board's budget, checked by the engine's interrupt
 *   handler and at every host call (`watchdog.event-budget`). A script's call runs for
 *   milliseconds where a module's runs for microseconds, so its time is the lesser of the wall's
 *   and the process's CPU time (CallBudget): a board the machine leaves waiting mid-call is not
 *   stopped for the wait. The runtime's heap is limited to
 *   the board's memory (`watchdog.memory`); an uncaught exception is a trap (ScriptTrap).
 */
export function linkScriptFragment(engine: ScriptEngine, module: ScriptModule, context: FragmentContext): LinkedFragment {
  const { fragment } = context;
  const data = { app: fragment.app, instance: fragment.instance };
  const imports: readonly string[] = module.imports;
  if (module.format !== 1 || typeof module.source !== 'string' || !isTextList(imports) || !Number.isInteger(module.abi)) {
    throw new KernelError('kernel.malformed', `the script of ${fragment.instance} is not an osmose script module (format 1)`, { data });
  }
  if (module.abi < 1 || module.abi > abiDefinition.version) {
    throw new KernelError('kernel.abi-version', `the script of ${fragment.instance} was built for ABI ${module.abi}; this shim implements ABI 1 to ${abiDefinition.version}`, {
      hint: 'update the board (osmose rollout) before giving it apps built by a newer osmose',
      data: { ...data, version: module.abi },
    });
  }
  const unknown = imports.filter((name) => abiFunctionNamed(name) === undefined);
  if (unknown.length > 0) {
    throw new KernelError('kernel.abi', `the script of ${fragment.instance} calls ${unknown.join(', ')}, which the ABI does not have`, { data: { ...data, unknown } });
  }
  const granted = new Set<string>([...alwaysGranted, ...fragment.capabilities]);
  const ungranted = imports.flatMap((name) => {
    const missing = (abiFunctionNamed(name)?.requires ?? []).filter((cap) => !granted.has(cap));
    return missing.length === 0 ? [] : [{ import: name, missing }];
  });
  if (ungranted.length > 0) {
    throw new KernelError(
      'kernel.ungranted-import',
      `${fragment.instance} imports ${ungranted.map((u) => `${u.import} (needs ${u.missing.join(', ')})`).join(', ')}, which its policy does not grant; the shim does not link it`,
      { hint: 'grant the capability in the policies and rebuild, or remove the import from the app', data: { ...data, ungranted, granted: [...granted] } },
    );
  }

  const kinds = eventKindsOf(module.abi);
  const host = new FragmentHost({ ...context, raise: (kind, source, value) => (kinds.has(kind) ? context.raise(kind, source, value) : undefined) }, granted);
  const scratch = new WebAssembly.Memory({ initial: scratchBytes / pageBytes, maximum: scratchBytes / pageBytes });
  host.memory = scratch;
  const implementations = host.implementations();
  const budget = new CallBudget(context.budgetMs, { wall: context.clock ?? performance.now.bind(performance), cpu: processCpuMs });
  let script: ScriptInstance;
  try {
    script = new ScriptInstance({ engine, source: module.source, filename: `${fragment.app}.js`, imports, functions: implementations, scratch, memoryBytes: context.memoryPages * pageBytes, budget });
  } catch (error) {
    host.close();
    if (!(error instanceof ScriptCompileError)) throw error;
    throw new KernelError('kernel.malformed', `the script of ${fragment.instance} does not compile: ${error.message}`, { hint: 'build the image again with osmose build, which bundles the app', data });
  }
  const watched = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof ScriptBudgetExceeded) {
        throw new KernelError('watchdog.event-budget', `${fragment.instance} ran past the board's budget of ${context.budgetMs} ms for one call`, { data: { ...data, budgetMs: context.budgetMs } });
      }
      if (error instanceof ScriptOutOfMemory) {
        throw new KernelError('watchdog.memory', `${fragment.instance} asked for memory past the board's ${context.memoryPages} pages`, { data: { ...data, limit: context.memoryPages } });
      }
      if (error instanceof ScriptTrap) throw new ScriptTrap(`${fragment.instance}: ${error.message}`);
      throw error;
    }
  };
  return {
    instance: fragment.instance,
    app: fragment.app,
    handles: host.handlesByDevice,
    linked: [...new Set(imports.map((name) => name.split('.')[0] ?? ''))].sort(),
    initialize: () => watched(() => script.initialize()),
    start: () => watched(() => script.call('start', [])),
    selfTest: () => watched(() => script.call('selftest', [])),
    // An app that answers nothing (undefined) handled the event: Ok, as `return Status.Ok` says.
    handle: (kind, source, value) => watched(() => script.call('handle', [kind, source, value])) ?? status.Ok,
    memoryPages: () => Math.ceil(script.memoryUsed() / pageBytes),
    close: () => {
      host.close();
      script.close();
    },
  };
}

/** Whether a script module's list of imports is a list of text (it arrives as JSON from the image). */
function isTextList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

