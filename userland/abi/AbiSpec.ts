import type { Capability } from '../../lib/capabilities.js';

/** The WebAssembly value types the ABI uses. Pointers and lengths are `i32` (wasm32). */
export type WasmValueType = 'i32' | 'i64' | 'f32' | 'f64';

/** A parameter: its name (for documentation and error messages) and its wasm type. */
export type AbiParam = readonly [name: string, type: WasmValueType];

/** One host function a module may import. */
export interface AbiFunction {
  readonly params: readonly AbiParam[];
  /** Every host function returns exactly one value: a status, or a value that is never negative unless it is a status. */
  readonly result: WasmValueType;
  /** Capabilities that must all be granted to the app for it to import this function. */
  readonly requires: readonly Capability[];
  readonly doc: string;
}

/** A host import module: the `module` of a wasm import. */
export interface AbiModule {
  readonly doc: string;
  readonly functions: Readonly<Record<string, AbiFunction>>;
}

/** Something the module exports for the host. */
export type AbiExport =
  | { readonly kind: 'memory'; readonly required: true; readonly doc: string }
  | {
      readonly kind: 'function';
      readonly params: readonly AbiParam[];
      readonly results: readonly WasmValueType[];
      readonly required: boolean;
      readonly doc: string;
    };

/** A code with its meaning: statuses, event kinds, log levels. */
export interface AbiCode {
  readonly code: number;
  readonly doc: string;
}

/** An event kind: what the host passes to `handle(kind, source, value)`. */
export interface AbiEvent extends AbiCode {
  /** What `source` is for this kind. */
  readonly source: string;
  /** What `value` is for this kind. */
  readonly value: string;
  /** The ABI version that added it, when later than 1: a module built for an earlier version is never sent it. */
  readonly since?: number;
}

export interface AbiDefinition {
  /** Grows by one with every change; see docs/abi.md for the rule. */
  readonly version: number;
  /** The custom section the compiler adds to every module, holding `version` as an unsigned LEB128. */
  readonly versionSection: string;
  readonly modules: Readonly<Record<string, AbiModule>>;
  readonly exports: Readonly<Record<string, AbiExport>>;
  /** Names are those of the SDK's `Status` enum. */
  readonly status: Readonly<Record<string, AbiCode>>;
  /** Names are those of the SDK's `EventKind` enum. */
  readonly events: Readonly<Record<string, AbiEvent>>;
  /** Names are those of the SDK's `LogLevel` enum. */
  readonly logLevels: Readonly<Record<string, AbiCode>>;
  /** The keys `config.read` answers, by pattern (`ALIAS`, `NAME` stand for any name): what each holds. */
  readonly configKeys: Readonly<Record<string, string>>;
}
