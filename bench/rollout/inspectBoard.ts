import { otherSlot } from '../../kernel-js/boot/boardDirectory.js';
import { readBoardState } from '../../kernel-js/boot/boardStateFile.js';
import { readBoardIdentity } from '../../kernel-js/boot/readBoardIdentity.js';
import { readSlot } from '../../kernel-js/boot/readSlot.js';
import { slotContext } from '../../kernel-js/boot/slotContext.js';
import { decideSlot } from '../../kernel-js/boot/slotTable.js';

/** What a board directory would boot now, read without booting it. */
export interface BoardInspection {
  /** The slot table's row (chooseSlot's decision); `panic` is a bricked board. */
  readonly row: string;
  /** The image the board would boot; null on panic. */
  readonly image: string | null;
  /** The active slot is confirmed and the gateway's commit is not awaited. */
  readonly committed: boolean;
}

/**
 * The decision chooseSlot would take for a board directory (both slots verified, the slot
 * table asked), without saving it: a stopped board's directory inspected after the run, not
 * a boot counted against a trial.
 */
export function inspectBoard(dir: string): BoardInspection {
  const identity = readBoardIdentity(dir);
  const state = readBoardState(dir);
  const context = slotContext(dir, identity.board, state, new Date());
  const active = readSlot(dir, state.active, context);
  const other = readSlot(dir, otherSlot(state.active), context);
  const row = decideSlot({ activeValid: active.ok, otherValid: other.ok, confirmed: state.confirmed, bootsLeft: state.bootCount < state.bootLimit });
  const booted = row.action === 'panic' ? undefined : row.action === 'rollback' || row.action === 'fall-back' ? other : active;
  return {
    row: row.name,
    image: booted?.ok === true ? booted.slot.manifest.signed.image : null,
    committed: row.action === 'boot' && state.awaitingCommit !== true,
  };
}
