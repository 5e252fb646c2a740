import { readCurrentRollout } from './readCurrentRollout.js';
import { readRolloutJournal } from './readRolloutJournal.js';
import { replayRollout } from './replayRollout.js';
import type { RolloutState } from './RolloutState.js';

/**
 * The rollout in progress, replayed from the journal to the exact state its gateway last
 * wrote, or undefined when none is in progress. A gateway killed mid-rollout calls this on
 * start, reopens the journal (RolloutJournal.reopen) and carries on; what it had not yet
 * written comes back as the boards report again. Offers it had made may not have reached
 * their boards: re-send them with resumeActions(state).
 */
export async function resumeRollout(root: string): Promise<RolloutState | undefined> {
  const current = await readCurrentRollout(root);
  if (current?.rollout == null) return undefined;
  const { spec, events } = await readRolloutJournal(root, current.rollout);
  return replayRollout(spec, events);
}
