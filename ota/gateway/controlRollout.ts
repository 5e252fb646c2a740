import type { RolloutInput } from '../rollout/RolloutInput.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import type { GatewayFleet } from './GatewayFleet.js';

/** What the operator may ask of the rollout in progress. */
export type RolloutVerb = 'pause' | 'resume' | 'abort';

export function isRolloutVerb(value: string | undefined): value is RolloutVerb {
  return value === 'pause' || value === 'resume' || value === 'abort';
}

/**
 * Pauses, resumes or aborts the rollout in progress, and answers once the change is on the
 * ledger: the control socket (`osmose rollout pause`) and the dashboard's buttons both come
 * here, so they are refused alike (`rollout.none`, or the engine ignoring a verb that does not
 * apply, which its journal notes).
 */
export async function controlRollout(fleet: GatewayFleet, verb: RolloutVerb, reason?: string): Promise<RolloutState> {
  const at = new Date().toISOString();
  const input: RolloutInput = verb === 'abort' ? { kind: 'abort', at, ...(reason === undefined || reason === '' ? {} : { reason }) } : { kind: verb, at };
  const state = fleet.control(input);
  await fleet.flush();
  return fleet.rollout ?? state;
}
