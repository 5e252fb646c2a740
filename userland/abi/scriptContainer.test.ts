import { describe, expect, it } from 'vitest';
import { readModuleAbiVersion } from './versionSection.js';
import { readWasmInterface } from './readWasmInterface.js';
import { encodeScriptContainer, readScriptSource } from './scriptContainer.js';

describe('the script container', () => {
  it('is a valid WebAssembly module that imports what the script calls, with the ABI signatures, and holds the script', () => {
    const source = 'globalThis.osmoseApp = { handle() { return osmoseHost["gpio.write"](1, 1); } }; // é';
    const bytes = encodeScriptContainer({ imports: ['log.write', 'gpio.write', 'clock.now', 'gpio.write'], source });
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'clock', name: 'now', kind: 'function' },
      { module: 'gpio', name: 'write', kind: 'function' },
      { module: 'log', name: 'write', kind: 'function' },
    ]);
    expect(WebAssembly.Module.exports(module)).toEqual([]);
    const read = readWasmInterface(bytes);
    expect(readScriptSource(read)).toBe(source);
    expect(readModuleAbiVersion(read)).toBe(3);
    // An ordinary module has no script.
    expect(readScriptSource(readWasmInterface(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0])))).toBeUndefined();
  });

  it('refuses a call the ABI does not have', () => {
    expect(() => encodeScriptContainer({ imports: ['gpio.explode'], source: '' })).toThrow(/gpio.explode/);
  });
});
