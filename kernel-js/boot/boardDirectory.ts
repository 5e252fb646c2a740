import { join } from 'node:path';

/**
 * The layout of a board directory, what `osmose boot BOARD_DIR` reads (kernel-js/README.md):
 *
 *     board.json            { format: 1, board, type }: which board this is
 *     trust/targets.json    the targets role's public key (TUF form): what may sign images
 *     a/ b/                 the two slots, each: manifest.json (signed), config.json,
 *                           <sha256>.wasm per module, and optionally `version` (an integer)
 *     state.json            active slot, trial state, boot counter, version floor, health
 */
export const slotNames = ['a', 'b'] as const;
export type SlotName = (typeof slotNames)[number];

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

export const boardFiles = {
  board: 'board.json',
  targetsKey: join('trust', 'targets.json'),
  state: 'state.json',
  manifest: 'manifest.json',
  config: 'config.json',
  version: 'version',
} as const;

export interface BoardIdentity {
  readonly format: 1;
  readonly board: string;
  readonly type: string;
}
