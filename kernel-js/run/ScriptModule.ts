/**
 * An app written in plain TypeScript, as the builder ships it to a board (docs/typescript-apps.md):
 * one script, bundled with the TypeScript SDK, that sets `globalThis.osmoseApp` to the app's
 * entry points, and the ABI functions it calls. It runs in the board's script engine (a
 * JavaScript engine compiled to WebAssembly, shared by every script app of the board) and
 * reaches the board through the same host functions, by the same grants, as a WebAssembly app.
 */
export interface ScriptModule {
  readonly format: 1;
  /** The ABI version the SDK it was bundled with implements. */
  readonly abi: number;
  /** Every ABI function the script calls, `module.name`, as the builder found them: the shim links only these, and only when granted. */
  readonly imports: readonly string[];
  /** The bundled script: no imports, ES2023, sets `globalThis.osmoseApp = { start?, handle, selftest? }`. */
  readonly source: string;
}
