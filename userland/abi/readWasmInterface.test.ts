import { describe, expect, it } from 'vitest';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { section, wasmModule } from '../../test/fixtures/wasmModule.js';
import { readWasmInterface } from './readWasmInterface.js';

const i32 = 'i32' as const;

describe('readWasmInterface', () => {
  const bytes = wasmModule({
    imports: [
      { module: 'gpio', name: 'write', type: { params: [i32, i32], results: [i32] } },
      { module: 'clock', name: 'now', type: { params: [], results: ['i64'] } },
    ],
    functions: [{ params: [], results: [] }, { params: [i32, i32, i32], results: [i32] }],
    memory: { initial: 3, maximum: 10 },
    exports: [
      { name: 'memory', kind: 'memory', index: 0 },
      { name: '_initialize', kind: 'function', index: 2 },
      { name: 'handle', kind: 'function', index: 3 },
      { name: 'again', kind: 'function', index: 0 },
    ],
    custom: [{ name: 'osmose.abi', bytes: [1] }],
  });

  it('reads imports and exports with their signatures, the memory and custom sections', () => {
    const module = readWasmInterface(bytes);
    expect(module.imports).toEqual([
      { module: 'gpio', name: 'write', kind: 'function', type: { params: ['i32', 'i32'], results: ['i32'] } },
      { module: 'clock', name: 'now', kind: 'function', type: { params: [], results: ['i64'] } },
    ]);
    expect(module.exports).toEqual([
      { name: 'memory', kind: 'memory' },
      { name: '_initialize', kind: 'function', type: { params: [], results: [] } },
      { name: 'handle', kind: 'function', type: { params: ['i32', 'i32', 'i32'], results: ['i32'] } },
      // An import re-exported: the function index space starts with the imports.
      { name: 'again', kind: 'function', type: { params: ['i32', 'i32'], results: ['i32'] } },
    ]);
    expect(module.memory).toEqual({ initial: 3, maximum: 10, imported: false });
    expect(module.customSections.map((custom) => [custom.name, [...custom.bytes]])).toEqual([['osmose.abi', [1]]]);
  });

  it('agrees with the engine on names and kinds', () => {
    const compiled = new WebAssembly.Module(bytes);
    const module = readWasmInterface(bytes);
    expect(module.imports.map(({ module: from, name, kind }) => ({ module: from, name, kind }))).toEqual(WebAssembly.Module.imports(compiled));
    expect(module.exports.map(({ name, kind }) => ({ name, kind }))).toEqual(WebAssembly.Module.exports(compiled));
  });

  it('reads an imported memory and large limits', () => {
    const module = readWasmInterface(wasmModule({ imports: [{ module: 'env', name: 'memory', memory: { initial: 70000 } }] }));
    expect(module.imports).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(module.memory).toEqual({ initial: 70000, maximum: undefined, imported: true });
  });

  it('reads a module without memory', () => {
    expect(readWasmInterface(wasmModule({})).memory).toBeUndefined();
  });

  it.each([
    ['no magic', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), /no \\0asm magic/],
    ['a short file', Uint8Array.from([0, 0x61]), /no \\0asm magic/],
    ['another binary version', Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /version 2/],
    ['a section past the end', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 20, 0]), /runs past the end/],
    ['a truncated import', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(2, [1, 4, 0x67])]), /past the end|unexpected end/],
    ['an unknown type form', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x5f, 0, 0])]), /not a function type/],
    ['an import of a type that does not exist', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(2, [1, 1, 0x61, 1, 0x62, 0, 5])]), /type index 5/],
    ['a section whose contents are shorter than its size', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(3, [0, 0])]), /section 3 is 2 bytes/],
    ['a name that is not UTF-8', Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(0, [1, 0xff])]), /not UTF-8/],
  ])('refuses %s as wasm.malformed with the offset', (_, input, message) => {
    let error: unknown;
    try {
      readWasmInterface(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OsmoseError);
    expect((error as OsmoseError).code).toBe('wasm.malformed');
    expect((error as OsmoseError).message).toMatch(message);
    expect(typeof (error as OsmoseError).data['offset']).toBe('number');
  });
});
