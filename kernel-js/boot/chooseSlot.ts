import { isDeepStrictEqual } from 'node:util';
import { otherSlot, type BoardIdentity, type SlotName } from './boardDirectory.js';
import type { BoardState } from './BoardState.js';
import { readBoardState, writeBoardState } from './boardStateFile.js';
import { readBoardIdentity } from './readBoardIdentity.js';
import { readSlot, type SlotReading, type VerifiedSlot } from './readSlot.js';
import { slotContext } from './slotContext.js';
import { decideSlot, type SlotRow } from './slotTable.js';

export interface BootChoice {
  readonly row: SlotRow;
  /** The slot to run; null on panic. */
  readonly slot: VerifiedSlot | null;
  /** The state as saved before booting. */
  readonly state: BoardState;
  readonly identity: BoardIdentity;
}

/**
 * Reads a board directory, verifies both slots, decides with the slot table and saves the
 * resulting state (boot counted, slot switched) before anything runs, so a power cut during
 * the boot replays the same decision with one boot fewer left. `now` is the board's clock;
 * expiry is judged against the later of it and the last time the building vouched for.
 */
export async function chooseSlot(dir: string, now: () => Date = () => new Date()): Promise<BootChoice> {
  const identity = readBoardIdentity(dir);
  const state = readBoardState(dir);
  const context = slotContext(dir, identity.board, state, now());
  const readings: Record<SlotName, SlotReading> = {
    a: readSlot(dir, 'a', context),
    b: readSlot(dir, 'b', context),
  };
  const active = readings[state.active];
  const other = readings[otherSlot(state.active)];
  const row = decideSlot({
    activeValid: active.ok,
    otherValid: other.ok,
    confirmed: state.confirmed,
    bootsLeft: state.bootCount < state.bootLimit,
  });
  const refused = Object.fromEntries(Object.entries(readings).flatMap(([name, reading]) => (reading.ok ? [] : [[name, { code: reading.code, reason: reading.reason }]])));
  const lastBoot = (slot: SlotName | null) => ({ at: now().toISOString(), row: row.name, slot, refused });

  let next: BoardState;
  let slot: VerifiedSlot | null;
  switch (row.action) {
    case 'boot':
    case 'keep-unconfirmed':
      slot = active.ok ? active.slot : null;
      next = { ...state, lastBoot: lastBoot(state.active) };
      break;
    case 'try':
      slot = active.ok ? active.slot : null;
      next = { ...state, bootCount: state.bootCount + 1, lastBoot: lastBoot(state.active) };
      break;
    case 'rollback':
    case 'fall-back':
      slot = other.ok ? other.slot : null;
      next = { ...state, active: otherSlot(state.active), confirmed: true, bootCount: 0, lastBoot: lastBoot(otherSlot(state.active)) };
      break;
    case 'panic':
      slot = null;
      next = { ...state, lastBoot: lastBoot(null) };
      break;
  }
  // A boot that decides what the last one decided (the everyday confirmed boot) changes
  // nothing worth a disk write: lastBoot.at then says since when the board has booted so.
  const same = state.lastBoot !== null && isDeepStrictEqual({ ...next, lastBoot: { ...next.lastBoot, at: '' } }, { ...state, lastBoot: { ...state.lastBoot, at: '' } });
  if (same) return { row, slot, state, identity };
  await writeBoardState(dir, next);
  return { row, slot, state: next, identity };
}
