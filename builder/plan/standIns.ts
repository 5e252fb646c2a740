import type { AppInput } from '../model/buildingSchema.js';
import type { BoardNode, BuildingIndex, DeviceNode } from '../model/indexBuilding.js';
import { bindNeed, placeApp } from '../model/placeApp.js';
import { runningBoard } from './runningBoard.js';

/** Which boards are out of service, and the spare that stands in for each. */
export interface StandIns {
  /** The boards out of service (down, or back but not yet moved back). */
  readonly out: ReadonlySet<BoardNode>;
  /** Each board out of service that something ran on or bound to, in document order: the aliases bound on it and its spare, or null. */
  readonly byBoard: ReadonlyMap<BoardNode, { readonly aliases: readonly string[]; readonly spare: BoardNode | null }>;
}

/**
 * Chooses a spare for each board out of service that matters: one that ran a fragment, or
 * whose devices a fragment bound. A spare stands in for a whole board, not a fragment at a
 * time: fragments on other boards bind the board's devices too, and they must all follow to
 * the same place, so the spare must have every alias bound on the board. It is the first spare
 * of the board's own space in building.yaml's order that has them all, is not out of service
 * itself, and stands in for no other board (two lamps never become one). Boards are served in
 * building.yaml's order, so the choice is deterministic.
 *
 * `order` is each board's position in building.yaml (as runningBoard takes it).
 */
export function chooseStandIns(index: BuildingIndex, apps: readonly AppInput[], out: ReadonlySet<string>, order: ReadonlyMap<BoardNode, number>): StandIns {
  const outBoards = new Set(index.boards.filter((board) => out.has(board.id) && !board.spare));
  const bound = new Map<BoardNode, Set<string>>();
  const mark = (board: BoardNode, alias?: string): void => {
    if (!outBoards.has(board)) return;
    const aliases = bound.get(board) ?? new Set<string>();
    if (alias !== undefined) aliases.add(alias);
    bound.set(board, aliases);
  };
  for (const app of apps) {
    for (const placement of placeApp(app.place, index)) {
      const devices = (app.needs ?? []).flatMap((alias): DeviceNode[] => {
        const binding = bindNeed(alias, placement);
        return binding.kind === 'bound' ? [binding.device] : [];
      });
      const runner = runningBoard(placement, devices, order);
      if (runner !== undefined) mark(runner.board);
      for (const device of devices) mark(device.board, device.alias);
    }
  }
  const taken = new Set<BoardNode>();
  const byBoard = new Map<BoardNode, { aliases: string[]; spare: BoardNode | null }>();
  for (const board of index.boards) {
    const aliases = bound.get(board);
    if (aliases === undefined) continue;
    const spare = board.space.boards.find(
      (candidate) => candidate.spare && !out.has(candidate.id) && !taken.has(candidate) && [...aliases].every((alias) => candidate.devices.some((device) => device.alias === alias)),
    );
    if (spare !== undefined) taken.add(spare);
    byBoard.set(board, { aliases: [...aliases].sort(), spare: spare ?? null });
  }
  return { out: new Set([...outBoards, ...index.boards.filter((board) => out.has(board.id))]), byBoard };
}
