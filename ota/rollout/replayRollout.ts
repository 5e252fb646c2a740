import { applyJournalEvents } from './applyJournalEvent.js';
import type { JournalEvent } from './JournalEvent.js';
import type { RolloutSpec } from './RolloutSpec.js';
import type { RolloutState } from './RolloutState.js';
import { startRollout } from './startRollout.js';

/** The state a rollout's recorded events lead to: what a gateway held when it wrote them. */
export function replayRollout(spec: RolloutSpec, events: readonly JournalEvent[]): RolloutState {
  return applyJournalEvents(startRollout(spec), events);
}
