import type { DashboardBoard } from '../DashboardApi.js';
import { healthTone } from './healthLook.js';
import { boardHref } from './parseRoute.js';
import { shortHash } from './shortHash.js';

/**
 * A board on the building's plan: a link to its page, coloured by health and saying it in words,
 * with what it runs and whether the latest build would give it something else. `rolling` tells
 * "update pending" (a rollout will reach it) from plain "behind".
 */
export function BoardTile({ board, rolling }: { readonly board: DashboardBoard; readonly rolling: boolean }) {
  return (
    <a class={`tile tone-${healthTone(board.health)}`} href={boardHref(board.board)} data-board={board.board} data-health={board.health} data-version={String(board.version)}>
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
