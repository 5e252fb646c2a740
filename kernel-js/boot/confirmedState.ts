import { isDeepStrictEqual } from 'node:util';
import type { BoardState } from './BoardState.js';
import type { VerifiedSlot } from './readSlot.js';

/**
 * The state once `slot`, the active slot, has proved healthy: confirmed, its boot count reset,
 * and what the board trusts raised to the slot's — the version floor to its image version,
 * and the root and metadata versions to its own. From then on an older image or older metadata
 * is a rollback, whichever slot holds it and however the slots are rewritten. Returns `state`
 * itself when nothing changes (an everyday boot writes nothing).
 */
export function confirmedState(state: BoardState, slot: VerifiedSlot): BoardState {
  const next: BoardState = { ...state, confirmed: true, bootCount: state.confirmed ? state.bootCount : 0, versionFloor: Math.max(state.versionFloor, slot.version), trust: slot.trust };
  return isDeepStrictEqual(next, state) ? state : next;
}
