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
    const engine = new ScriptEngine(await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule: module })));
    engine.#warmUp();
    return engine;
  }

  /**
   * Runs a throwaway script once, at boot, so that the engine's own code (its parser, compiler
   * and interpreter, compiled lazily by the host's WebAssembly runtime on first use) is ready
   * before any app's first call: otherwise an app's initialisation pays 20 to 50 ms for it,
   * on the budget of one call.
   */
  #warmUp(): void {
    const runtime = this.quickjs.newRuntime();
    const vm = runtime.newContext();
    const result = vm.evalCode(warmUpScript, 'warm-up.js');
    if (result.error !== undefined) result.error.dispose();
    else result.value.dispose();
    vm.dispose();
    runtime.dispose();
  }
}

/** What an app's bundle does at its top level and in its first event: classes, closures, strings, Maps, JSON, numbers. */
const warmUpScript = `
  class Shape { constructor(name) { this.name = name; } describe() { return \`\${this.name}: \${JSON.stringify({ n: this.name.length })}\`; } }
  const seen = new Map();
  let text = '';
  for (let i = 0; i < 200; i++) {
    const shape = new Shape('shape-' + i);
    seen.set(shape.name, shape);
    text = shape.describe() + String.fromCharCode(65 + (i % 26));
  }
  const parsed = JSON.parse(JSON.stringify([...seen.keys()].slice(0, 5)));
  const total = [1, 2, 3].map((x) => Math.trunc(x * 1.5)).reduce((a, b) => a + b, 0);
  ({ text, parsed, total, chars: Array.from(text).length });
`;
