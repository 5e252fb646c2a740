import { finalRolloutStatuses, nextRolloutStatus, type RolloutStatus } from '../../rollout/rolloutTable.js';

/** An operator's action on the current rollout, as the page offers it. */
export type RolloutAction = 'pause' | 'resume' | 'abort';

/**
 * Whether `action` means anything for a rollout in `status`. The page asks the rollout's own
 * state table (ota/rollout/rolloutTable.ts), the one the gateway obeys, so a button is enabled
 * exactly when the gateway would take its request.
 */
export function rolloutActionAllowed(status: string, action: RolloutAction): boolean {
  return nextRolloutStatus(status as RolloutStatus, action) !== undefined;
}

/** Whether a rollout in `status` is finished, so that a new one may start. */
export function rolloutFinished(status: string): boolean {
  return finalRolloutStatuses.includes(status as RolloutStatus);
}

/** A rollout's finished share, 0 to 100, rounded down so that 100% means every board is done. */
export function rolloutPercent(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor((done * 100) / total);
}
