import type { Capability, GrantableCapability } from '../../lib/capabilities.js';
import type { disclosures } from '../model/policiesSchema.js';
import type { PlanSchedule } from './PlanSchedule.js';

// The planner's output, consumed by the compiler (per-board configuration, the capability
// check), the ledger, the gateway and, through the per-board configuration, kernel-js. It is
// plain JSON: no Maps, no undefined (absent values are null), nothing that depends on time.
//
// Lists carry order (document order of the building); records are keyed only by device
// aliases and capability names, which never look like integers, so JSON keeps their order.
// Board and space ids can be all digits, which is why boards, fragments and circuits are
// lists with ids rather than records keyed by id.

/** The plan's format; raised when a consumer reading an older plan would misread this one. */
export const buildPlanVersion = 1;

export interface BuildPlan {
  readonly version: typeof buildPlanVersion;
  readonly building: { readonly id: string; readonly name: string; readonly timezone?: string };
  /** Where the policies came from (relative to the building) and their default. */
  readonly policies: { readonly file: string; readonly default: 'deny' | 'allow' };
  /** Every app, in document order, with the instances the planner made of it. */
  readonly apps: readonly PlannedApp[];
  /** Every board, in document order, including boards that run nothing. */
  readonly boards: readonly PlannedBoard[];
  /** Every app instance, by app in document order, then by placement in document order. */
  readonly fragments: readonly PlannedFragment[];
  /** One circuit per need bound to a device on another board, in fragment then need order. */
  readonly circuits: readonly PlannedCircuit[];
  /** Spares, boards out of service and what moved off them (refs/osmose/schedule, docs/scheduler.md). */
  readonly schedule: PlanSchedule;
}

export interface PlannedApp {
  readonly name: string;
  /** The app's source folder, relative to the building. */
  readonly source: string;
  readonly needs: readonly string[];
  /** Instance ids of its fragments, in plan order. */
  readonly instances: readonly string[];
}

export interface PlannedBoard {
  readonly id: string;
  /** The board support package (`rpi4`, `sim`…). */
  readonly type: string;
  /** Ids of the spaces that hold the board, outermost first: `['ground', 'meeting-1']`. */
  readonly space: readonly string[];
  /** The kind and name of the innermost of those spaces (what config's space.kind and space.name answer). */
  readonly place: { readonly kind: string; readonly name: string };
  /** Device alias → driver and settings, aliases sorted. */
  readonly devices: Readonly<Record<string, PlannedDevice>>;
  /** Instance ids of the fragments this board runs. */
  readonly fragments: readonly string[];
  /** Ids of the circuits this board is an endpoint of, at either end. */
  readonly circuits: readonly string[];
  /** Where its circuits reach it, HOST:PORT: building.yaml's `address`, or the default (circuitAddress). */
  readonly address: string;
}

export interface PlannedDevice {
  readonly driver: string;
  /** The device's settings without `driver`, keys sorted. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Why a fragment runs on its board: `place` when the selector chose the board (`has`, or a
 * board's id), `devices` when it chose a space and the board holds the most of the devices
 * the fragment binds, `first-board` when it chose a space and the fragment needs nothing,
 * `spare` when the board it would run on is out of service and this spare stands in for it.
 */
export type RunsOnReason = 'place' | 'devices' | 'first-board' | 'spare';

export interface PlannedFragment {
  /** `APP@BOARD` when the selector chose the board, `APP@SPACE` when it chose a space. */
  readonly instance: string;
  readonly app: string;
  /** The board that runs it. */
  readonly board: string;
  readonly runsOn: RunsOnReason;
  /** Ids of the space its needs were bound in, outermost first. */
  readonly scope: readonly string[];
  /** Need → the device it is bound to, in the order of the app's `needs`. */
  readonly bindings: Readonly<Record<string, PlannedBinding>>;
  /** Capability → why it is granted; capabilities in the order of lib/capabilities.ts. */
  readonly grants: Readonly<Partial<Record<Capability, GrantReason>>>;
  /** Indexes of the policy rules that apply to this fragment. */
  readonly rules: readonly number[];
  /**
   * What the bindings imply: each bound device's capability, and `channel` when a need binds
   * to another board. The compiler's check of the wasm's imports is what decides; this is
   * for reports and for `ruleThatWouldAllow`.
   */
  readonly requires: readonly GrantableCapability[];
  /** `requires` less what is granted. Not an error here: the compiler's capability check decides. */
  readonly ungranted: readonly GrantableCapability[];
  readonly retain: RetainPolicy | null;
  readonly disclose: DisclosePolicy | null;
}

export type PlannedBinding =
  | { readonly board: string; readonly device: string; readonly driver: string; readonly local: true }
  | { readonly board: string; readonly device: string; readonly driver: string; readonly local: false; readonly circuit: string };

/** `always` for clock, log and config; `default` for `default: allow`; otherwise the first rule that allows it. */
export type GrantReason = 'always' | 'default' | { readonly rule: number };

/** The shortest `retain` of the rules that apply, and the rule that set it. */
export interface RetainPolicy {
  readonly duration: string;
  readonly ms: number;
  readonly rule: number;
}

/** The narrowest `disclose` of the rules that apply (nobody, then participants, then operator). */
export interface DisclosePolicy {
  readonly to: (typeof disclosures)[number];
  readonly rule: number;
}

/** `control`: one authenticated datagram per action. `stream`: a ring buffer with flow control. */
export type CircuitKind = 'control' | 'stream';

/** Which way data flows, seen from the app: from the device to the app, the other way, or both. */
export type CircuitDirection = 'to-app' | 'from-app' | 'both';

export interface PlannedCircuit {
  /** `INSTANCE/NEED`, such as `heating@meeting-1/heater`. */
  readonly id: string;
  readonly kind: CircuitKind;
  readonly direction: CircuitDirection;
  /** Bytes a second a stream circuit reserves on its link (circuitBandwidth); null for a control circuit. */
  readonly bandwidth: number | null;
  /** The end where the fragment runs. */
  readonly app: { readonly board: string; readonly instance: string; readonly need: string };
  /** The end where the device is wired. */
  readonly device: { readonly board: string; readonly device: string; readonly driver: string };
}
