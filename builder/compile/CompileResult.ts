import type { WasmExternKind } from '../../userland/abi/readWasmInterface.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';

export interface CompileInput {
  /** The app's name in building.yaml. */
  readonly app: string;
  /** The app's folder in the building repository, as building.yaml's `source` says; `apps/NAME` when absent. Issues name files under it. */
  readonly source?: string;
  /** The app folder's files by path relative to it, `/`-separated: `assembly/index.ts` (the entry) and whatever it imports. */
  readonly files: ReadonlyMap<string, string>;
}

export interface CompiledImport {
  readonly module: string;
  readonly name: string;
  readonly kind: WasmExternKind;
}

export type CompileResult =
  | {
      readonly ok: true;
      /** The module, with the ABI version section appended. */
      readonly wasm: Uint8Array;
      /** What it imports, in the module's order: the capability check's input. */
      readonly imports: readonly CompiledImport[];
    }
  | {
      readonly ok: false;
      /** `compile.error` (asc's diagnostics, at `apps/NAME/assembly/index.ts:LINE:COL`), `compile.entry`, or `abi.*` when the module does not fit the ABI. */
      readonly issues: readonly ValidationIssue[];
    };
