import { describeEvent } from './describeEvent.js';
import type { JournalEvent } from './JournalEvent.js';
import { readRolloutJournal, rolloutIds } from './readRolloutJournal.js';
import { journalHead } from './writeRolloutCommit.js';

export interface RolloutHistoryEntry {
  readonly rollout: string;
  readonly at: string;
  /** The event in a sentence. */
  readonly text: string;
  readonly event: JournalEvent;
}

export interface RolloutHistoryOptions {
  /** Only this rollout's events. */
  readonly rollout?: string;
  /** Only the events about this board: what it ran when, each step, and why it was reverted. */
  readonly board?: string;
  /** Leave out the inputs the engine refused. */
  readonly withoutIgnored?: boolean;
}

/**
 * What the journal says happened, oldest first, from the ledger alone: which board ran which
 * image when (`seen`), each step of each board, and why a revert happened.
 */
export async function rolloutHistory(root: string, options: RolloutHistoryOptions = {}): Promise<RolloutHistoryEntry[]> {
  const head = await journalHead(root);
  if (head === undefined) return [];
  const ids = options.rollout === undefined ? await rolloutIds(root, head) : [options.rollout];
  const entries: RolloutHistoryEntry[] = [];
  for (const id of ids) {
    const { spec, events } = await readRolloutJournal(root, id, head);
    for (const event of events) {
      if (options.withoutIgnored === true && event.kind === 'ignored') continue;
      if (options.board !== undefined && !mentions(event, options.board)) continue;
      entries.push({ rollout: id, at: event.at, text: describeEvent(event, spec.waves.length), event });
    }
  }
  // Stable: events of one rollout keep their recorded order; rollouts interleave by time.
  return entries.map((entry, index) => ({ entry, index })).sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index).map(({ entry }) => entry);
}

function mentions(event: JournalEvent, board: string): boolean {
  if (event.kind === 'board' || event.kind === 'seen') return event.board === board;
  if (event.kind === 'wave-started') return event.boards.includes(board);
  return false;
}
