import { formatMaxFailures } from './failureLimit.js';
import { boardRolloutStates, type BoardRolloutState } from './rolloutBoardTable.js';
import type { BoardRollout, RolloutFailure, RolloutState } from './RolloutState.js';
import type { RolloutStatus } from './rolloutTable.js';

/** Where a rollout stands, in numbers: what `osmose rollout --json` prints and the progress line shows. */
export interface RolloutSummary {
  readonly rollout: string;
  readonly build: string;
  readonly status: RolloutStatus;
  /** Why it halted or was aborted; null otherwise. */
  readonly reason: string | null;
  /** The current wave (the last one once all have passed), how many there are, and whether every wave has passed. */
  readonly wave: { readonly current: number; readonly of: number; readonly allPassed: boolean };
  readonly boards: Readonly<Record<BoardRolloutState, number>>;
  /** Boards waiting to be offered, each with what it waits for. */
  readonly deferred: readonly { readonly board: string; readonly reason: string }[];
  readonly failures: readonly RolloutFailure[];
  /** The failure limit as given (`3`, `10%`). */
  readonly maxFailures: string;
  readonly offered: number;
  /** Bytes the boards downloaded, as they reported. */
  readonly bytes: number;
  /** Boards this rollout is finished with: unchanged, committed, failed or reverted. */
  readonly done: number;
  readonly total: number;
  readonly updatedAt: string;
}

const doneStates: readonly BoardRolloutState[] = ['unchanged', 'committed', 'failed', 'reverted'];

/** Counts a rollout's state for people and scripts. */
export function rolloutSummary(state: RolloutState): RolloutSummary {
  const boards = Object.fromEntries(boardRolloutStates.map((name) => [name, 0])) as Record<BoardRolloutState, number>;
  let bytes = 0;
  const deferred: { board: string; reason: string }[] = [];
  for (const board of state.boards) {
    boards[board.state] += 1;
    bytes += board.bytes;
    if (board.state === 'deferred') deferred.push({ board: board.board, reason: waitingFor(state, board) });
  }
  const of = state.spec.waves.length;
  return {
    rollout: state.spec.id,
    build: state.spec.build,
    status: state.status,
    reason: state.reason,
    wave: { current: Math.min(state.wave, of), of, allPassed: state.wave > of },
    boards,
    deferred,
    failures: state.failures,
    maxFailures: formatMaxFailures(state.spec.maxFailures),
    offered: state.offered,
    bytes,
    done: doneStates.reduce((sum, name) => sum + boards[name], 0),
    total: state.boards.length,
    updatedAt: state.updatedAt,
  };
}

/** What a deferred board waits for now (which may not be what first deferred it). */
function waitingFor(state: RolloutState, board: BoardRollout): string {
  if (!board.seen) return 'not seen yet';
  if (!board.online) return 'offline';
  if (board.busy) return 'busy';
  const hold = state.holds.find((space) => board.space === space || board.space.startsWith(`${space}/`));
  if (hold !== undefined) return `space ${hold} held`;
  return 'the rollout to offer it';
}
