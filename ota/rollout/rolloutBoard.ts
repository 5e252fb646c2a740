import type { BoardRollout, RolloutState } from './RolloutState.js';

/** Board id → its position in `boards`, per spec: positions never change during a rollout. */
const indexes = new WeakMap<object, ReadonlyMap<string, number>>();

/** Where board `id` sits in the state's `boards`, or undefined when it is not a target. */
export function boardIndex(state: Pick<RolloutState, 'spec' | 'boards'>, id: unknown): number | undefined {
  if (typeof id !== 'string') return undefined;
  let index = indexes.get(state.spec);
  if (index === undefined) {
    index = new Map(state.boards.map((board, position) => [board.board, position]));
    indexes.set(state.spec, index);
  }
  return index.get(id);
}

/** Board `id` of a rollout as it stands, or undefined when the rollout has no such target. */
export function rolloutBoard(state: RolloutState, id: string): BoardRollout | undefined {
  const position = boardIndex(state, id);
  return position === undefined ? undefined : state.boards[position];
}
