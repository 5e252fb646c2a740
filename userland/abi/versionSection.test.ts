import { describe, expect, it } from 'vitest';
import { wasmModule } from '../../test/fixtures/wasmModule.js';
import { abiDefinition } from './abiDefinition.js';
import { readWasmInterface } from './readWasmInterface.js';
import { encodeVersionSection, readModuleAbiVersion } from './versionSection.js';

function stamped(version?: number): Uint8Array {
  const module = wasmModule({ memory: { initial: 1 } });
  const section = encodeVersionSection(version);
  const bytes = new Uint8Array(module.length + section.length);
  bytes.set(module);
  bytes.set(section, module.length);
  return bytes;
}

describe('the version section', () => {
  it('is a custom section the engine accepts, holding the version', () => {
    const bytes = stamped();
    const sections = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), abiDefinition.versionSection);
    expect(sections.map((section) => [...new Uint8Array(section)])).toEqual([[abiDefinition.version]]);
    expect(readModuleAbiVersion(readWasmInterface(bytes))).toBe(abiDefinition.version);
  });

  it('holds versions past one byte', () => {
    expect(readModuleAbiVersion(readWasmInterface(stamped(300)))).toBe(300);
  });

  it('is missing from a module the compiler did not make', () => {
    expect(readModuleAbiVersion(readWasmInterface(wasmModule({})))).toBeUndefined();
    expect(readModuleAbiVersion(readWasmInterface(wasmModule({ custom: [{ name: 'osmose.abi', bytes: [0x80] }] })))).toBeUndefined();
  });
});
