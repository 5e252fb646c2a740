import type { CircuitConfig } from '../circuit/CircuitConfig.js';

/**
 * The shapes kernel-js reads from a slot, as docs/build-and-ledger.md documents them. The
 * builder's own types (builder/build/BoardImage.ts) are out of this layer's reach, so these
 * are kept in step with them by test/kernelImageShape.test.ts, which parses a real build.
 * Only what the shim uses is typed; the rest passes through untouched.
 */
export interface KernelDevice {
  readonly driver: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface KernelBinding {
  readonly board: string;
  readonly device: string;
  readonly driver: string;
  readonly local: boolean;
  readonly circuit?: string;
}

export interface KernelFragment {
  readonly instance: string;
  readonly app: string;
  readonly bindings: Readonly<Record<string, KernelBinding>>;
  readonly capabilities: readonly string[];
  /** The clips its app ships: the name audio.play takes → the SHA-256 of the WAV file in the slot; absent when it ships none. */
  readonly clips?: Readonly<Record<string, string>>;
  /** How long what it records is kept (the policy's retain), null for as long as nobody erases it; absent in older configurations. */
  readonly retain?: { readonly duration: string; readonly ms: number } | null;
  /** Who may read what it records (the policy's disclose); absent in older configurations. */
  readonly disclose?: { readonly to: string } | null;
}

/** configs/<board>.json of a build. */
export interface KernelBoardConfig {
  readonly format: 1;
  readonly abi: number;
  readonly building?: { readonly id: string; readonly name: string; readonly timezone?: string };
  readonly board: { readonly id: string; readonly type: string; readonly space: readonly string[]; readonly place?: { readonly kind: string; readonly name: string } };
  readonly devices: Readonly<Record<string, KernelDevice>>;
  readonly fragments: readonly KernelFragment[];
  /** The circuits this board is an endpoint of, at either end. */
  readonly circuits: readonly CircuitConfig[];
}

/** The `signed` part of manifests/<board>.json. */
export interface KernelBoardManifest {
  readonly format: 1;
  readonly board: string;
  readonly type: string;
  readonly image: string;
  readonly config: string;
  readonly modules: readonly { readonly app: string; readonly wasm: string; readonly bytes: number }[];
  /** Every clip file of the image (<wav>.wav in the slot), verified like the modules; absent when its apps ship none. */
  readonly clips?: readonly { readonly wav: string; readonly bytes: number }[];
}

/** TUF's envelope around a manifest. */
export interface KernelSignedManifest {
  readonly signed: KernelBoardManifest;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}
