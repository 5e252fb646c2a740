import type { RolloutAction } from './RolloutInput.js';
import type { RolloutState } from './RolloutState.js';

/**
 * What a resumed gateway sends again: the offers to boards that have not answered yet. The
 * offer may have died with the old gateway, and a board takes the same offer twice as one;
 * without this, such a board would sit until its health timeout and count as a failure.
 * Boards further along report by themselves when they reconnect.
 */
export function resumeActions(state: RolloutState): RolloutAction[] {
  const actions: RolloutAction[] = [];
  for (const board of state.boards) if (board.state === 'offered') actions.push({ kind: 'offer', board: board.board });
  return actions;
}
