import { InputError } from '../../lib/OsmoseError.js';
import type { CircuitConfig, CircuitEndName } from './CircuitConfig.js';

/**
 * Which end of `circuit` the board `board` holds. Both endpoint boards carry the same circuit
 * record; a board that is neither end, or both, was given a configuration the planner never
 * writes, and is refused rather than guessed at.
 */
export function circuitEndOf(circuit: Pick<CircuitConfig, 'id' | 'app' | 'device'>, board: string): CircuitEndName {
  const isApp = circuit.app.board === board;
  const isDevice = circuit.device.board === board;
  if (isApp !== isDevice) return isApp ? 'app' : 'device';
  throw new InputError('circuit.not-an-end', `circuit ${circuit.id} joins ${circuit.app.board} to ${circuit.device.board}; board ${board} is ${isApp ? 'both ends' : 'neither end'}`, {
    hint: "a board's configuration lists only the circuits it ends; rebuild it with osmose build",
    data: { circuit: circuit.id, board, app: circuit.app.board, device: circuit.device.board },
  });
}
