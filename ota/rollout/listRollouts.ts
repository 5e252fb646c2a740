import { readRolloutJournal, rolloutIds } from './readRolloutJournal.js';
import { replayRollout } from './replayRollout.js';
import { rolloutSummary, type RolloutSummary } from './rolloutSummary.js';
import { journalHead } from './writeRolloutCommit.js';

export interface RolloutListing {
  readonly startedAt: string;
  readonly summary: RolloutSummary;
}

/** Every rollout the journal holds, oldest first, each replayed to where it stands. */
export async function listRollouts(root: string): Promise<RolloutListing[]> {
  const head = await journalHead(root);
  if (head === undefined) return [];
  const listings: RolloutListing[] = [];
  for (const id of await rolloutIds(root, head)) {
    const { spec, events } = await readRolloutJournal(root, id, head);
    listings.push({ startedAt: spec.startedAt, summary: rolloutSummary(replayRollout(spec, events)) });
  }
  return listings.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}
