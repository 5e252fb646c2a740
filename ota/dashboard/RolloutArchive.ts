import { readRolloutJournal, rolloutIds } from '../rollout/readRolloutJournal.js';
import { replayRollout } from '../rollout/replayRollout.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import { journalHead } from '../rollout/writeRolloutCommit.js';

/**
 * Every rollout refs/osmose/rollouts holds, replayed to where each stands, newest first. Read
 * again only when the journal's head moves, so the dashboard's pages can ask for it at every
 * update without replaying the building's history each time.
 */
export class RolloutArchive {
  readonly #root: string;
  #head: string | undefined;
  #states: Promise<readonly RolloutState[]> = Promise.resolve([]);

  constructor(root: string) {
    this.#root = root;
  }

  async states(): Promise<readonly RolloutState[]> {
    const head = await journalHead(this.#root);
    if (head !== this.#head) {
      this.#head = head;
      this.#states = head === undefined ? Promise.resolve([]) : this.#read(head);
    }
    return this.#states;
  }

  /** The last time a rollout reverted or failed `board`, with why. */
  async lastRevert(board: string): Promise<{ readonly rollout: string; readonly at: string; readonly reason: string; readonly state: 'reverted' | 'failed' } | null> {
    for (const state of await this.states()) {
      const entry = state.boards.find((candidate) => candidate.board === board);
      if (entry !== undefined && (entry.state === 'reverted' || entry.state === 'failed')) {
        return { rollout: state.spec.id, at: entry.since, reason: entry.reason ?? `${entry.state} without a reason given`, state: entry.state };
      }
    }
    return null;
  }

  async #read(head: string): Promise<readonly RolloutState[]> {
    const states: RolloutState[] = [];
    for (const id of await rolloutIds(this.#root, head)) {
      const { spec, events } = await readRolloutJournal(this.#root, id, head);
      states.push(replayRollout(spec, events));
    }
    return states.sort((a, b) => Date.parse(b.spec.startedAt) - Date.parse(a.spec.startedAt));
  }
}
