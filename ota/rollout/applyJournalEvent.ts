import { OsmoseError } from '../../lib/OsmoseError.js';
import type { JournalEvent } from './JournalEvent.js';
import { boardIndex } from './rolloutBoard.js';
import { nextBoardState } from './rolloutBoardTable.js';
import type { BoardRollout, RolloutFailure, RolloutState } from './RolloutState.js';

/** A rollout state being changed in place while one step (or one replay) runs. */
export type RolloutDraft = {
  -readonly [K in keyof RolloutState]: RolloutState[K];
};

type MutableDraft = Omit<RolloutDraft, 'boards' | 'holds' | 'failures'> & {
  boards: BoardRollout[];
  holds: string[];
  failures: RolloutFailure[];
};

/** A copy of `state` that events may change in place; boards are replaced, never edited. */
export function draftOf(state: RolloutState): RolloutDraft {
  return { ...state, boards: state.boards.slice(), holds: [...state.holds], failures: [...state.failures] };
}

/**
 * The state after `events`: the one way a rollout's state changes, used by the engine as it
 * decides and by the journal's replay, so both arrive at the same value.
 */
export function applyJournalEvents(state: RolloutState, events: readonly JournalEvent[]): RolloutState {
  const draft = draftOf(state);
  for (const event of events) applyToDraft(draft, event);
  return draft;
}

/** Applies one event to a draft. A journal that names a board or a transition the rollout does not have is corrupt. */
export function applyToDraft(target: RolloutDraft, event: JournalEvent): void {
  const draft = target as MutableDraft;
  if (event.kind !== 'ignored') draft.updatedAt = event.at;
  switch (event.kind) {
    case 'started':
    case 'ignored':
      return;
    case 'status':
      draft.status = event.to;
      draft.reason = event.reason;
      return;
    case 'wave-started':
      draft.waveStarted = true;
      for (const id of event.boards) {
        const [at, board] = boardOf(draft, id, event);
        draft.boards[at] = { ...board, wave: event.wave };
      }
      return;
    case 'wave-passed':
      draft.wave = event.wave + 1;
      draft.waveStarted = false;
      return;
    case 'seen': {
      const [at, board] = boardOf(draft, event.board, event);
      draft.boards[at] = { ...board, seen: true, online: event.online, busy: event.busy, running: event.image };
      return;
    }
    case 'hold':
      if (event.held) draft.holds.push(event.space);
      else draft.holds = draft.holds.filter((space) => space !== event.space);
      return;
    case 'board': {
      const [at, board] = boardOf(draft, event.board, event);
      const row = nextBoardState(event.from, event.on);
      if (row === undefined || board.state !== event.from || row.to !== event.to) {
        throw new OsmoseError('rollout.bad-event', `rollout ${draft.spec.id}: the journal moves ${event.board} from ${event.from} on ${event.on} to ${event.to}, but it is ${board.state} and the table has no such row`, {
          hint: 'the journal was edited or belongs to another version of osmose',
          data: { event },
        });
      }
      const offer = event.on === 'offer';
      const next: BoardRollout = {
        ...board,
        state: event.to,
        reason: event.reason,
        since: event.at,
        bytes: event.bytes ?? board.bytes,
        ...(offer ? { offeredAt: event.at, wave: draft.wave } : {}),
      };
      draft.boards[at] = next;
      if (offer) draft.offered += 1;
      if (row.failure) draft.failures.push({ board: event.board, wave: next.wave ?? draft.wave, reason: event.reason ?? row.doc, at: event.at });
      return;
    }
  }
}

function boardOf(draft: RolloutDraft, id: string, event: JournalEvent): [number, BoardRollout] {
  const at = boardIndex(draft, id);
  const board = at === undefined ? undefined : draft.boards[at];
  if (at === undefined || board === undefined) {
    throw new OsmoseError('rollout.bad-event', `rollout ${draft.spec.id}: the journal names board ${JSON.stringify(id)}, which is not one of its targets`, {
      hint: 'the journal was edited or belongs to another rollout',
      data: { event },
    });
  }
  return [at, board];
}
