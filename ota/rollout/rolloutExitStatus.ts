import type { RolloutState } from './RolloutState.js';
import type { RolloutStatus } from './rolloutTable.js';

/**
 * The exit status of `osmose rollout`, so scripts can tell the outcomes apart: 0 every board
 * runs the build; 1 halted or aborted; 3 every wave passed but some boards are deferred
 * (offline, busy, held; they catch up when they can); 4 every wave passed but some boards
 * failed within the limit and kept their old image; 5 the rollout is still running, paused or
 * waiting for a window (the command stopped watching it).
 */
export const rolloutExitStatuses: Readonly<Record<RolloutStatus, number>> = {
  completed: 0,
  halted: 1,
  aborted: 1,
  'completed-with-deferred': 3,
  'completed-with-failures': 4,
  running: 5,
  paused: 5,
  'waiting-window': 5,
};

/** The exit status for where the rollout stands (see rolloutExitStatuses). */
export function rolloutExitStatus(state: RolloutState): number {
  return rolloutExitStatuses[state.status];
}
