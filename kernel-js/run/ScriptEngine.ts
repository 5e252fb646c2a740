import { createHash } from 'node:crypto';
import imported from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { KernelError } from '../KernelError.js';

// The package's types describe its CommonJS build, whose default export sits one level deeper
// than in the ES module Node loads.
const loaded: unknown = imported;
const variant = ((loaded as { default?: QuickJSSyncVariant }).default ?? loaded) as QuickJSSyncVariant;

/**
 * SHA-256 of the engine this shim drives: QuickJS as @jitl/quickjs-wasmfile-release-sync 0.32.0
 * compiles it. The engine's WebAssembly travels in the image like any module (stored once in
 * the ledger however many apps and boards use it); its JavaScript half is part of the shim, and
 * the two must be of one build.
 */
export const scriptEngineDigest = '105c3bed22d457e43e3d1c3c1c6959fda62a8fe06f0fc8a985303c3a2be72232';

/**
 * The board's JavaScript engine, compiled once at boot from the image's engine module and
 * shared by its script apps: each app gets a runtime of its own in it (its own heap, memory
 * limit and interrupt handler), so one app cannot reach another's values.
 */
export class ScriptEngine {
  readonly quickjs: QuickJSWASMModule;

  private constructor(quickjs: QuickJSWASMModule) {
    this.quickjs = quickjs;
  }

  /** Checks the engine module against the one this shim was built for, and starts it. */
  static async load(wasm: Uint8Array): Promise<ScriptEngine> {
    const digest = createHash('sha256').update(wasm).digest('hex');
    if (digest !== scriptEngineDigest) {
      throw new KernelError('kernel.engine-mismatch', `the image's script engine (sha256 ${digest.slice(0, 12)}…) is not the one this shim drives (${scriptEngineDigest.slice(0, 12)}…)`, {
        hint: 'build the image with the same osmose as the board runs, or update the board first',
        data: { digest, expected: scriptEngineDigest },
      });
    }
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(wasm);
    } catch (cause) {
      throw new KernelError('kernel.malformed', 'the script engine is not valid WebAssembly', { cause, data: {} });
    }
    return new ScriptEngine(await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule: module })));
  }
}
