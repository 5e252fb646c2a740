import { abiDefinition } from './abiDefinition.js';
import { abiFunction } from './abiFunction.js';
import type { WasmInterface } from './readWasmInterface.js';
import { encodeVersionSection, uleb } from './versionSection.js';

/** The custom section that holds a script app's bundled source (UTF-8). */
export const scriptSection = 'osmose.script';

/** The name the board's script engine travels under among an image's modules: no app can be called this (app names are lowercase words). */
export const scriptEngineModule = 'osmose:engine';

const valueType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c } as const;

/**
 * An app written in plain TypeScript as a WebAssembly module: no code, only the ABI functions
 * its script calls as imports (with their ABI signatures), its ABI version, and the script in
 * a custom section. The builder's capability check, the ledger, the image and the shim's
 * link-time check then treat it as any module: what a script may call is what it imports.
 * The board runs the script in its engine (kernel-js/run/linkScriptFragment.ts).
 */
export function encodeScriptContainer(script: { readonly imports: readonly string[]; readonly source: string; readonly abi?: number }): Uint8Array {
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const imports: number[][] = [];
  for (const name of [...new Set(script.imports)].sort()) {
    const dot = name.indexOf('.');
    const module = name.slice(0, dot);
    const field = name.slice(dot + 1);
    const fn = abiFunction(module, field);
    if (dot <= 0 || fn === undefined) throw new Error(`${name} is not a function of the ABI`);
    const signature = [0x60, ...uleb(fn.params.length), ...fn.params.map(([, type]) => valueType[type]), 1, valueType[fn.result]];
    const key = signature.join(',');
    let index = types.indexOf(key);
    if (index < 0) {
      index = types.push(key) - 1;
      typeBytes.push(signature);
    }
    imports.push([...text(module), ...text(field), 0x00, ...uleb(index)]);
  }
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const source = new TextEncoder().encode(script.source);
  const name = text(scriptSection);
  const custom = [0, ...uleb(name.length + source.length), ...name];
  const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(1, vector(typeBytes)), ...section(2, vector(imports)), ...custom];
  const version = encodeVersionSection(script.abi ?? abiDefinition.version);
  const out = new Uint8Array(head.length + source.length + version.length);
  out.set(head, 0);
  out.set(source, head.length);
  out.set(version, head.length + source.length);
  return out;
}

/** The script a module holds, or undefined when it is an ordinary WebAssembly app. */
export function readScriptSource(module: WasmInterface): string | undefined {
  const section = module.customSections.find((candidate) => candidate.name === scriptSection);
  return section === undefined ? undefined : new TextDecoder('utf-8', { fatal: false }).decode(section.bytes);
}

function text(value: string): number[] {
  const bytes = new TextEncoder().encode(value);
  return [...uleb(bytes.length), ...bytes];
}
