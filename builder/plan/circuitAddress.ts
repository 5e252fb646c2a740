import { boardsById } from '../../boards/index.js';
import type { BoardNode } from '../model/indexBuilding.js';

/** The port a board's circuits use when building.yaml gives no `address`. */
export const circuitPort = 47_000;

/**
 * Where a board's circuits reach it when building.yaml does not say: its mDNS name on the
 * circuit port (`door.local:47000`), as an ESPHome node is reached by name, or, for a simulated
 * board, the loopback with a port of its own after the circuit port (boards sharing one machine
 * cannot share a port), numbered by the board's position in building.yaml so that the plan
 * stays deterministic.
 */
export function circuitAddress(board: Pick<BoardNode, 'id' | 'type'>, position: number): string {
  return boardsById.get(board.type)?.simulated === true ? `127.0.0.1:${circuitPort + 1 + position}` : `${board.id}.local:${circuitPort}`;
}
