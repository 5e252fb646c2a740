import { readModuleAbiVersion, readWasmInterface } from '../../userland/abi/index.js';
import { readScriptSource } from '../../userland/abi/scriptContainer.js';
import type { FragmentContext } from '../host/FragmentContext.js';
import { linkFragment, type LinkedFragment } from '../host/linkFragment.js';
import { KernelError } from '../KernelError.js';
import { linkScriptFragment } from './linkScriptFragment.js';
import type { ScriptEngine } from './ScriptEngine.js';

/**
 * Links a fragment whatever its app was written in: a WebAssembly module as it is
 * (linkFragment), or an app in plain TypeScript, whose module holds its script and imports
 * what the script calls (userland/abi/scriptContainer.ts), in the board's script engine.
 * `engine` is the refusal instead when the image's engine would not start (another engine than
 * the shim drives): a script fragment is then refused at link time, as one without an engine is.
 */
export function linkAppFragment(bytes: Uint8Array, context: FragmentContext, engine: ScriptEngine | KernelError | undefined): LinkedFragment {
  let source: string | undefined;
  let wasm;
  try {
    wasm = readWasmInterface(bytes);
    source = readScriptSource(wasm);
  } catch {
    // Not readable: linkFragment says why, as for any module.
  }
  if (source === undefined || wasm === undefined) return linkFragment(bytes, context);
  const { fragment } = context;
  if (engine === undefined) {
    throw new KernelError('kernel.no-engine', `${fragment.instance} is a script app, and the image carries no script engine to run it`, {
      hint: 'build the image again with this osmose: a build with TypeScript apps puts the engine in every image that needs it',
      data: { app: fragment.app, instance: fragment.instance },
    });
  }
  if (engine instanceof KernelError) {
    throw new KernelError(engine.code, `${fragment.instance} is a script app, and ${engine.message}`, {
      ...(engine.hint === undefined ? {} : { hint: engine.hint }),
      data: { ...engine.data, app: fragment.app, instance: fragment.instance },
      cause: engine,
    });
  }
  return linkScriptFragment(engine, { format: 1, abi: readModuleAbiVersion(wasm) ?? 1, imports: wasm.imports.map((entry) => `${entry.module}.${entry.name}`), source }, context);
}
