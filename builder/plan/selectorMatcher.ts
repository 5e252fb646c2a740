import type { BoardNode, BuildingIndex, SpaceNode } from '../model/indexBuilding.js';
import { placeApp } from '../model/placeApp.js';
import type { Selector } from '../model/selectorSchema.js';

/**
 * Whether a board lies where a selector points, with the selector read exactly as `place`
 * reads it (it goes through placeApp): on a board the selector chose (`has`, a board's id),
 * or anywhere inside a space it chose (`kind`, a space's id). Policy rules' `where` is
 * matched against the board a fragment runs on this way. Placing is done once, up front, so
 * asking about each of a thousand boards stays cheap.
 */
export function selectorMatcher(selector: Selector, index: BuildingIndex): (board: BoardNode) => boolean {
  const boards = new Set<BoardNode>();
  const spaces = new Set<SpaceNode>();
  for (const placement of placeApp(selector, index)) {
    if (placement.host !== undefined) boards.add(placement.host);
    else spaces.add(placement.scope);
  }
  return (board) => {
    if (boards.has(board)) return true;
    for (let space: SpaceNode | undefined = board.space; space !== undefined; space = space.parent) {
      if (spaces.has(space)) return true;
    }
    return false;
  };
}
