import type { DashboardBoard } from '../DashboardApi.js';
import type { Colouring } from './ColourBy.js';
import { healthTone } from './healthLook.js';
import { boardHref } from './parseRoute.js';
import { shortHash } from './shortHash.js';
import { versionStanding, versionTone } from './versionLook.js';

/**
 * A board on the building's plan: a link to its page, coloured by health and saying it in words,
 * with what it runs and whether the latest build would give it something else. `rolling` tells
 * "update pending" (a rollout will reach it) from plain "behind"; `by` picks the colour.
 */
export function BoardTile({ board, rolling, by }: { readonly board: DashboardBoard; readonly rolling: boolean; readonly by: Colouring }) {
  const standing = versionStanding(board);
  const tone = by === 'health' ? healthTone(board.health) : versionTone(standing);
  return (
    <a class={`tile tone-${tone}`} href={boardHref(board.board)} data-board={board.board} data-health={board.health} data-version={String(board.version)} data-standing={standing}>
      <span class="tile-id">{board.board}</span>
      <span class="tile-health">
        <span class="dot" aria-hidden="true" /> {board.healthText}
      </span>
      <span class="tile-version">
        v{board.version} · <code>{shortHash(board.image)}</code>
      </span>
      {!board.latest.current && (
        <span class="tile-pending">
          {rolling ? 'update pending' : 'behind'}: v{board.latest.version}
        </span>
      )}
    </a>
  );
}
