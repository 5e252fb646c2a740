import type { Capability } from '../../lib/capabilities.js';
import type { ToolchainIdentity } from '../compile/toolchain.js';
import type { DisclosePolicy, PlannedBinding, PlannedCircuit, PlannedDevice, RetainPolicy } from '../plan/BuildPlan.js';


/**
 * Everything that differs between boards running the same modules: signed with the image,
 * never compiled into it. kernel-js hands the relevant parts to each fragment.
 */
export interface BoardConfig {
  readonly format: 1;
  readonly abi: number;
  /** What config's building.* keys answer. */
  readonly building: { readonly id: string; readonly name: string; readonly timezone?: string };
  readonly board: { readonly id: string; readonly type: string; readonly space: readonly string[]; readonly place: { readonly kind: string; readonly name: string } };
  readonly devices: Readonly<Record<string, PlannedDevice>>;
  readonly fragments: readonly {
    readonly instance: string;
    /** The app it runs; the manifest names the module, so a new module leaves this file as it was. */
    readonly app: string;
    readonly bindings: Readonly<Record<string, PlannedBinding>>;
    readonly capabilities: readonly Capability[];
    readonly retain: RetainPolicy | null;
    readonly disclose: DisclosePolicy | null;
    /**
     * The clips its app ships (clips/NAME.wav in the app's folder), by the name audio.play
     * takes → the SHA-256 of the WAV file the slot holds as <sha256>.wav. Only present when
     * the app ships clips, so a board running none has the configuration it had before clips.
     */
    readonly clips?: Readonly<Record<string, string>>;
  }[];
  /** The circuits this board is an endpoint of. */
  readonly circuits: readonly BoardCircuit[];
}

/**
 * A circuit as both of its boards' configurations carry it: the plan's circuit, where each end
 * is reached (HOST:PORT) and the pairwise key (64 hex digits) its datagrams and frames are
 * sealed with. The configuration is signed, so neither end can be changed on the way; it is
 * also confidential, since it holds the key (docs/security.md).
 */
export interface BoardCircuit extends Omit<PlannedCircuit, 'app' | 'device'> {
  readonly app: PlannedCircuit['app'] & { readonly address: string };
  /** The device's end; a stream circuit's carries the device's driver settings too (an app end needs an audio device's rate and channels). */
  readonly device: PlannedCircuit['device'] & { readonly address: string; readonly settings?: Readonly<Record<string, unknown>> };
  readonly key: string;
}

/** What a board runs and where it came from: the answer `osmose ledger show BOARD` gives. */
export interface BoardManifest {
  readonly format: 1;
  readonly board: string;
  readonly type: string;
  /** SHA-256 over the configuration's and the modules' digests: the image's identity. */
  readonly image: string;
  /** SHA-256 of boards/<id>/config.json. */
  readonly config: string;
  /** One entry per app the board runs. */
  readonly modules: readonly { readonly app: string; readonly wasm: string; readonly source: string; readonly bytes: number }[];
  /**
   * Every distinct clip file of the apps the board runs, by SHA-256 (the slot's <wav>.wav,
   * the ledger's clips/<wav>.wav), sorted; the configuration says which app plays which under
   * what name. Absent when the board's apps ship no clips.
   */
  readonly clips?: readonly { readonly wav: string; readonly bytes: number }[];
  /** The building repository's commit the image was built from, and inputs that differed from it. */
  readonly source: { readonly commit: string | null; readonly uncommitted: readonly string[] };
  readonly toolchain: ToolchainIdentity;
}

/** build.json: one per ledger commit. */
export interface BuildRecord {
  readonly format: 1;
  /** The key of the source snapshot built: a later build with the same key has nothing to do. */
  readonly inputs: string;
  readonly source: { readonly commit: string | null; readonly uncommitted: readonly string[] };
  readonly toolchain: ToolchainIdentity;
  /** SHA-256 of plan.json. */
  readonly plan: string;
  readonly boards: number;
  /** Boards whose image differs from the previous build's. */
  readonly changed: readonly string[];
  readonly compiles: number;
  readonly cacheHits: number;
  /** Every board's image digest, so a build that changes nothing can answer without reading manifests. */
  readonly images: readonly { readonly board: string; readonly image: string }[];
}
