import { abiDefinition } from './abiDefinition.js';
import type { WasmInterface } from './readWasmInterface.js';

/**
 * The custom section that states which ABI version a module was built for: its name is
 * `abiDefinition.versionSection`, its contents the version as an unsigned LEB128. The
 * compiler appends it; a host reads it before linking. A custom section rather than an
 * export, because an AssemblyScript library (the SDK) cannot add exports to the app's module.
 */
export function encodeVersionSection(version: number = abiDefinition.version): Uint8Array {
  const name = new TextEncoder().encode(abiDefinition.versionSection);
  const contents = [...uleb(name.length), ...name, ...uleb(version)];
  return Uint8Array.from([0, ...uleb(contents.length), ...contents]);
}

/** The ABI version a module states, or undefined when it has no (readable) version section. */
export function readModuleAbiVersion(module: WasmInterface): number | undefined {
  const section = module.customSections.find((candidate) => candidate.name === abiDefinition.versionSection);
  if (section === undefined) return undefined;
  let value = 0;
  let scale = 1;
  for (const byte of section.bytes) {
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
    if (scale > 2 ** 28) return undefined;
  }
  return undefined;
}

/** An unsigned LEB128 number, as the WebAssembly binary format writes sizes and counts. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}
