import type { SlotName } from './boardDirectory.js';

/** Why the watchdog (or the boot) stopped a unikernel: recorded in state.json. */
export interface StopRecord {
  readonly at: string;
  readonly slot: SlotName | null;
  readonly code: string;
  readonly message: string;
}

/** state.json: what must survive a power cut. Written before the shim acts on it. */
export interface BoardState {
  readonly format: 1;
  readonly active: SlotName;
  /** False while the active slot is on trial. */
  readonly confirmed: boolean;
  /** Boots of the active slot while on trial. */
  readonly bootCount: number;
  /** Boots a trial may use before the shim rolls back. */
  readonly bootLimit: number;
  /** Slots whose `version` is below this do not boot (anti-rollback). */
  readonly versionFloor: number;
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
