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
  const next: BoardState = { ...withoutAwaitingCommit(state), confirmed: true, bootCount: state.confirmed ? state.bootCount : 0, versionFloor: Math.max(state.versionFloor, slot.version), trust: slot.trust };
  return isDeepStrictEqual(next, state) ? state : next;
}

/**
 * The state once the update agent has found a trial slot healthy while its rollout still gates
 * the wave: confirmed (it boots as it is from now on), its boot count reset, but nothing the
 * board trusts raised yet, so the slot it ran before still verifies and the gateway may send the
 * board back to it. The gateway's commit turns this into confirmedState.
 */
export function healthyState(state: BoardState): BoardState {
  return { ...state, confirmed: true, bootCount: 0, awaitingCommit: true };
}

/** The state without its awaitingCommit flag: a slot the board goes back to, or commits, awaits nothing. */
export function withoutAwaitingCommit(state: BoardState): BoardState {
  if (state.awaitingCommit === undefined) return state;
  const copy: { -readonly [K in keyof BoardState]?: BoardState[K] } = { ...state };
  delete copy.awaitingCommit;
  return copy as BoardState;
}
