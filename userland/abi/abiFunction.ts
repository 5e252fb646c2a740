import { abiDefinition } from './abiDefinition.js';
import type { AbiDefinition, AbiFunction, AbiParam, WasmValueType } from './AbiSpec.js';
import type { WasmFunctionType } from './readWasmInterface.js';

/** The ABI's host function `module.name`, or undefined when the ABI has none. */
export function abiFunction(module: string, name: string, abi: AbiDefinition = abiDefinition): AbiFunction | undefined {
  if (!Object.hasOwn(abi.modules, module)) return undefined;
  const functions = abi.modules[module]?.functions ?? {};
  return Object.hasOwn(functions, name) ? functions[name] : undefined;
}

/** The ABI's host function named `module.name` as one string (how a script names what it calls), or undefined. */
export function abiFunctionNamed(qualified: string, abi: AbiDefinition = abiDefinition): AbiFunction | undefined {
  const dot = qualified.indexOf('.');
  return dot <= 0 ? undefined : abiFunction(qualified.slice(0, dot), qualified.slice(dot + 1), abi);
}

/** The wasm signature of an ABI function or export, as a wasm binary states it. */
export function abiSignature(params: readonly AbiParam[], results: readonly WasmValueType[]): WasmFunctionType {
  return { params: params.map(([, type]) => type), results };
}

/** `(i32, i32) -> i32`, or `(handle: i32, level: i32) -> i32` when the parameters have names. */
export function formatSignature(type: WasmFunctionType, names?: readonly AbiParam[]): string {
  const params = type.params.map((param, i) => (names?.[i] === undefined ? param : `${names[i][0]}: ${param}`));
  const results = type.results.length === 0 ? 'nothing' : type.results.join(', ');
  return `(${params.join(', ')}) -> ${results}`;
}

export function sameSignature(a: WasmFunctionType, b: WasmFunctionType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length && a.params.every((type, i) => type === b.params[i]) && a.results.every((type, i) => type === b.results[i]);
}
