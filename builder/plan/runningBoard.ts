import { placeableBoardsWithin, type BoardNode, type DeviceNode } from '../model/indexBuilding.js';
import type { Placement } from '../model/placeApp.js';
import type { RunsOnReason } from './BuildPlan.js';

/**
 * The board that runs one instance of an app:
 *
 * 1. the board the selector chose (`has`, or a board's id in `ids`);
 * 2. otherwise (the selector chose a space) the board that holds the most of the devices
 *    the instance binds, so that the fewest needs cross a circuit; a tie goes to the board
 *    that comes first in building.yaml;
 * 3. otherwise (the instance needs nothing) the first board in the space, or in the spaces
 *    inside it, spares aside.
 *
 * Undefined when the space holds no board at all. `order` is each board's position in
 * building.yaml.
 */
export function runningBoard(
  placement: Placement,
  devices: readonly DeviceNode[],
  order: ReadonlyMap<BoardNode, number>,
): { readonly board: BoardNode; readonly runsOn: RunsOnReason } | undefined {
  if (placement.host !== undefined) return { board: placement.host, runsOn: 'place' };
  if (devices.length === 0) {
    const first = placeableBoardsWithin(placement.scope)[0];
    return first === undefined ? undefined : { board: first, runsOn: 'first-board' };
  }
  const counts = new Map<BoardNode, number>();
  for (const device of devices) counts.set(device.board, (counts.get(device.board) ?? 0) + 1);
  let best: BoardNode | undefined;
  let bestCount = 0;
  for (const [board, count] of counts) {
    const earlier = best === undefined || (order.get(board) ?? Infinity) < (order.get(best) ?? Infinity);
    if (count > bestCount || (count === bestCount && earlier)) {
      best = board;
      bestCount = count;
    }
  }
  return best === undefined ? undefined : { board: best, runsOn: 'devices' };
}
