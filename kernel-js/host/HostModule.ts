/** A host module's functions, as linkFragment puts them in the import object: `module.name` → implementation. */
export type HostFunctions = Record<string, (...args: number[]) => number>;

/** A host module that listens to drivers or holds resources: `close` stops and releases them. */
export interface HostModule {
  readonly functions: HostFunctions;
  /** Stops every listener and capture the module started; later driver callbacks are ignored. Closing twice is harmless. */
  readonly close: () => void;
}
