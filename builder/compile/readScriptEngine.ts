import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * The board's script engine as the builder puts it in an image: QuickJS compiled to
 * WebAssembly, from the package the shim drives it with (kernel-js/run/ScriptEngine.ts checks
 * the digest). One file however many TypeScript apps and boards use it.
 */
export async function readScriptEngine(): Promise<Uint8Array> {
  return readFile(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
}
