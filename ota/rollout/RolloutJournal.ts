import { InputError } from '../../lib/OsmoseError.js';
import { describeBatch } from './describeBatch.js';
import type { JournalEvent } from './JournalEvent.js';
import { readRolloutJournal } from './readRolloutJournal.js';
import { readCurrentRollout } from './readCurrentRollout.js';
import { rolloutRef } from './rolloutRef.js';
import { finalRolloutStatuses } from './rolloutTable.js';
import type { RolloutSpec } from './RolloutSpec.js';
import { startedEvent } from './startRollout.js';
import { writeRolloutCommit } from './writeRolloutCommit.js';

export interface RolloutJournalOptions {
  /** Flush once this many events wait (default 200). */
  readonly batchSize?: number;
  /** Flush this long after the first waiting event (default 250 ms). */
  readonly delayMs?: number;
  /** How to run a flush later; returns a cancel. Default setTimeout. */
  readonly schedule?: (run: () => void, ms: number) => () => void;
  /** Told when a timed flush fails; its events stay queued and go with the next flush. */
  readonly onError?: (error: unknown) => void;
  readonly author?: { readonly name: string; readonly email: string };
}

const defaults = { batchSize: 200, delayMs: 250, author: { name: 'osmose gateway', email: 'gateway@osmose.invalid' } } as const;

const setTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

/**
 * A rollout's journal on refs/osmose/rollouts: the events the engine returns, written in
 * batched commits so that a thousand boards reporting do not make a thousand commits. A batch
 * goes when `batchSize` events wait, `delayMs` after the first one waited, and on flush() and
 * close(). A gateway that dies loses at most the batch not yet written; the boards' own
 * reports, when they reconnect, bring the engine back to where they are.
 *
 *     const journal = await RolloutJournal.create(root, spec);   // spec.json, 'started', current.json
 *     let state = startRollout(spec);
 *     const step = stepRollout(state, input); state = step.state; journal.record(step.events);
 *     await journal.close();
 */
export class RolloutJournal {
  readonly root: string;
  readonly spec: RolloutSpec;
  readonly #batchSize: number;
  readonly #delayMs: number;
  readonly #schedule: (run: () => void, ms: number) => () => void;
  readonly #onError: (error: unknown) => void;
  readonly #author: { readonly name: string; readonly email: string };
  #written: number;
  #specWritten: boolean;
  #queue: JournalEvent[] = [];
  #cancel: (() => void) | undefined;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  #batchFlushPending = false;

  private constructor(root: string, spec: RolloutSpec, written: number, options: RolloutJournalOptions) {
    this.root = root;
    this.spec = spec;
    this.#written = written;
    this.#specWritten = written > 0;
    this.#batchSize = options.batchSize ?? defaults.batchSize;
    this.#delayMs = options.delayMs ?? defaults.delayMs;
    this.#schedule = options.schedule ?? setTimer;
    this.#onError = options.onError ?? (() => undefined);
    this.#author = options.author ?? defaults.author;
  }

  /**
   * Starts a new rollout's journal: spec.json, its `started` event, and current.json naming
   * it, in one commit written before this returns. Refused while another rollout is in
   * progress (abort it first) or when the id is taken.
   */
  static async create(root: string, spec: RolloutSpec, options: RolloutJournalOptions = {}): Promise<RolloutJournal> {
    const current = await readCurrentRollout(root);
    if (current?.rollout != null && current.rollout !== spec.id) {
      throw new InputError('rollout.in-progress', `rollout ${current.rollout} is still in progress (${rolloutRef} current.json)`, {
        hint: 'let it finish, or abort it, before starting another',
        data: { current: current.rollout, rollout: spec.id },
      });
    }
    const journal = new RolloutJournal(root, spec, 0, options);
    journal.#queue.push(startedEvent(spec));
    await journal.flush();
    return journal;
  }

  /** Continues the journal of a rollout already in the ledger (a gateway restarted mid-rollout). */
  static async reopen(root: string, id: string, options: RolloutJournalOptions = {}): Promise<RolloutJournal> {
    const read = await readRolloutJournal(root, id);
    return new RolloutJournal(root, read.spec, read.batches, options);
  }

  /** Queues events for the next batch. */
  record(events: readonly JournalEvent[]): void {
    if (this.#closed) throw new Error(`the journal of rollout ${this.spec.id} is closed`);
    if (events.length === 0) return;
    this.#queue.push(...events);
    // One flush for a full batch at a time: records that arrive while it waits for the write
    // before it join it, rather than each queueing a write of its own (which would leave the
    // next write a batch smaller than batchSize).
    if (this.#queue.length >= this.#batchSize && !this.#batchFlushPending) {
      this.#batchFlushPending = true;
      this.flush().catch(this.#onError);
    } else if (this.#cancel === undefined) {
      this.#cancel = this.#schedule(() => {
        this.#cancel = undefined;
        this.flush().catch(this.#onError);
      }, this.#delayMs);
    }
  }

  /** Writes every waiting event now, as one commit; resolves when it is on the ref. */
  flush(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    const run = this.#tail.then(() => this.#write());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Flushes and refuses further events. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  /** Events waiting for the next batch. */
  get waiting(): number {
    return this.#queue.length;
  }

  async #write(): Promise<void> {
    this.#batchFlushPending = false;
    if (this.#queue.length === 0) return;
    const events = this.#queue;
    this.#queue = [];
    const ended = events.some((event) => event.kind === 'status' && finalRolloutStatuses.includes(event.to));
    // current.json names the rollout from its first commit, and no rollout once it has ended.
    const current = ended ? { rollout: null, last: this.spec.id } : this.#specWritten ? undefined : { rollout: this.spec.id };
    try {
      await writeRolloutCommit({
        root: this.root,
        spec: this.spec,
        withSpec: !this.#specWritten,
        seq: this.#written + 1,
        events,
        current,
        message: describeBatch(this.spec, events),
        author: this.#author,
      });
    } catch (error) {
      this.#queue = [...events, ...this.#queue];
      throw error;
    }
    this.#written += 1;
    this.#specWritten = true;
  }
}
