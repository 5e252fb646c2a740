import type { SlotName } from './boardDirectory.js';

/** Why the watchdog (or the boot) stopped a unikernel: recorded in state.json. */
export interface StopRecord {
  readonly at: string;
  readonly slot: SlotName | null;
  readonly code: string;
  readonly message: string;
}

/**
 * What the board trusts, as a TUF client keeps it: the newest root metadata it has confirmed
 * a slot under, and the versions of the timestamp, snapshot and targets metadata of that slot.
 * Metadata older than these is a rollback. Raised when a slot is confirmed, never lowered
 * (except the three versions, which a rotation of the timestamp or snapshot keys resets: see
 * docs/security.md, fast-forward attacks).
 */
export interface TrustRecord {
  /** The root metadata, `{ signed, signatures }` as in `<version>.root.json`. */
  readonly root: Readonly<Record<string, unknown>>;
  readonly timestamp: number;
  readonly snapshot: number;
  readonly targets: number;
}

/** state.json: what must survive a power cut. Written before the shim acts on it. */
export interface BoardState {
  readonly format: 1;
  readonly active: SlotName;
  /** False while the active slot is on trial. */
  readonly confirmed: boolean;
  /** Boots of the active slot while on trial. */
  readonly bootCount: number;
  /**
   * True once the update agent has confirmed a trial healthy while the rollout still gates its
   * wave: the slot boots as confirmed, but the version floor and what the board trusts stay
   * where they were, so the gateway can still send the board back to the slot it ran before
   * (a wave rolled back). The gateway's commit, or the next install, raises them
   * (confirmedState). Absent means committed.
   */
  readonly awaitingCommit?: boolean;
  /** Boots a trial may use before the shim rolls back. */
  readonly bootLimit: number;
  /**
   * Slots whose image version (targets.json's `custom.version` for this board) is below this do
   * not boot (anti-rollback). Raised to the version of each slot the board confirms.
   */
  readonly versionFloor: number;
  /** The update metadata the board has accepted; absent until it first confirms a slot. */
  readonly trust?: TrustRecord;
  /**
   * The latest time vouched for by the building (a time statement signed by the timestamp
   * role, recorded by recordVouchedTime): the board's clock is never trusted to be earlier.
   */
  readonly vouchedTime?: string;
  /** The last boot decision: the table's row and the reasons slots were refused. */
  readonly lastBoot: { readonly at: string; readonly row: string; readonly slot: SlotName | null; readonly refused: Readonly<Partial<Record<SlotName, { readonly code: string; readonly reason: string }>>> } | null;
  /** The most recent stops, newest last (at most `maxStops`). */
  readonly stops: readonly StopRecord[];
}

export const maxStops = 50;

export const initialBoardState: BoardState = {
  format: 1,
  active: 'a',
  confirmed: true,
  bootCount: 0,
  bootLimit: 3,
  versionFloor: 0,
  lastBoot: null,
  stops: [],
};
