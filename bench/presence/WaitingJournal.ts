import { SimJournal, type JournalEntry, type JournalEvent } from '../../image/sim/SimJournal.js';
import { OsmoseError } from '../../lib/OsmoseError.js';

type Waiter = (entry: JournalEntry) => void;

/**
 * The simulator's journal, which bench/presence can also wait on: a trial changes presence at
 * the gateway, then waits for the effects it expects (an epoch ending, a lamp lit) to be
 * journalled. The times themselves are the journal's, taken as each event happened on its one
 * monotonic clock; when the bench got round to looking does not enter them.
 */
export class WaitingJournal extends SimJournal {
  readonly #waiters = new Set<Waiter>();
  #last = 0;

  override record(event: JournalEvent): JournalEntry {
    const entry = super.record(event);
    this.#last = entry.seq;
    for (const waiter of [...this.#waiters]) waiter(entry);
    return entry;
  }

  /** The number of the latest entry: what a trial notes before it acts, to look only at what followed. */
  get last(): number {
    return this.#last;
  }

  /**
   * The first entry after `after` that `matches`, whether it is journalled already or yet to
   * come; fails with bench.no-effect, naming `what`, when none comes within `withinMs`.
   */
  next<T extends JournalEntry>(after: number, matches: (entry: JournalEntry) => entry is T, what: string, withinMs = 10_000): Promise<T> {
    const found = this.since(after).find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new OsmoseError('bench.no-effect', `${what} did not happen within ${withinMs} ms`, { hint: 'the building did not answer a presence change; run osmose sim --listen and osmose sim timeline to see what it does', data: { what, withinMs } }));
      }, withinMs);
      const waiter: Waiter = (entry) => {
        if (entry.seq <= after || !matches(entry)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(entry);
      };
      this.#waiters.add(waiter);
    });
  }
}
