import type { abiDefinition } from './abiDefinition.js';
import type { AbiParam, WasmValueType } from './AbiSpec.js';

/** How a wasm value reaches JavaScript: i64 as a bigint, every other type as a number. */
export type JsValue<T extends WasmValueType> = T extends 'i64' ? bigint : number;

type JsParams<P extends readonly AbiParam[]> = { -readonly [K in keyof P]: P[K] extends readonly [string, infer T extends WasmValueType] ? JsValue<T> : never };

type HostFunction<F> = F extends { readonly params: infer P extends readonly AbiParam[]; readonly result: infer R extends WasmValueType }
  ? (...args: JsParams<P>) => JsValue<R>
  : never;

type Modules = (typeof abiDefinition)['modules'];

/**
 * The import object a host passes to `WebAssembly.instantiate`, typed from the ABI: a host
 * that forgets a function, or gets its arity or an i64 wrong, does not type-check. A host
 * links only the modules the app is granted, so it builds a `Partial` of this.
 */
export type HostImports = { [M in keyof Modules]: { [N in keyof Modules[M]['functions']]: HostFunction<Modules[M]['functions'][N]> } };
