import fs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { OsmoseError } from '../../lib/OsmoseError.js';
import type { JournalEvent } from './JournalEvent.js';
import { rolloutLayout, type CurrentRollout } from './rolloutLayout.js';
import { rolloutRef } from './rolloutRef.js';
import type { RolloutSpec } from './RolloutSpec.js';

export interface RolloutCommitInput {
  readonly root: string;
  readonly spec: RolloutSpec;
  /** Write spec.json (the rollout's first commit). */
  readonly withSpec: boolean;
  /** The batch's number: its file name under events/. */
  readonly seq: number;
  readonly events: readonly JournalEvent[];
  /** A new current.json, or undefined to keep the one there is. */
  readonly current: CurrentRollout | undefined;
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string };
}

const encoder = new TextEncoder();

/**
 * Adds one batch of events as a commit on the journal ref. Only the trees on the batch's path
 * are rewritten (the root, rollouts/, rollouts/<id>/ and its events/), so a commit costs the
 * same however long the journal is. A batch file that exists already is refused: an earlier
 * batch is never rewritten. The commit's time is its last event's, not the wall clock's. The
 * ref moves last, and only if it still points where it did when the commit was made, so a
 * failure or a second writer leaves the journal as it was.
 */
export async function writeRolloutCommit(input: RolloutCommitInput): Promise<string> {
  const dir = input.root;
  const id = input.spec.id;
  const head = await journalHead(dir);
  const rootEntries = head === undefined ? [] : (await git.readTree({ fs, dir, oid: head })).tree;
  const rollouts = await subtree(dir, rootEntries, rolloutLayout.rollouts);
  const mine = await subtree(dir, rollouts, id);
  const events = await subtree(dir, mine, 'events');

  if (input.withSpec && mine.some((entry) => entry.path === 'spec.json')) {
    throw new OsmoseError('rollout.exists', `rollout ${id} is already in the journal`, { hint: 'give the new rollout another id', data: { rollout: id } });
  }
  const name = rolloutLayout.batch(input.seq);
  if (events.some((entry) => entry.path === name)) {
    throw new OsmoseError('rollout.batch-exists', `${rolloutLayout.events(id)}/${name} is already in the journal: batches are never rewritten`, {
      hint: 'another gateway is writing this rollout\'s journal; stop one of them',
      data: { rollout: id, seq: input.seq },
    });
  }
  const batch = input.events.map((event) => `${JSON.stringify(event)}\n`).join('');
  const newEvents = put(events, await blobEntry(dir, name, batch));
  let newMine = put(mine, await treeEntry(dir, 'events', newEvents));
  if (input.withSpec) {
    newMine = put(newMine, await blobEntry(dir, 'spec.json', `${JSON.stringify(input.spec, null, 2)}\n`));
  }
  let newRoot = put(rootEntries, await treeEntry(dir, rolloutLayout.rollouts, put(rollouts, await treeEntry(dir, id, newMine))));
  if (input.current !== undefined) newRoot = put(newRoot, await blobEntry(dir, rolloutLayout.current, `${JSON.stringify(input.current)}\n`));
  const tree = await git.writeTree({ fs, dir, tree: sorted(newRoot) });

  const times = input.events.map((event) => Date.parse(event.at)).filter((time) => !Number.isNaN(time));
  const timestamp = Math.floor((times.length > 0 ? Math.max(...times) : Date.parse(input.spec.startedAt)) / 1000);
  const person = { ...input.author, timestamp, timezoneOffset: 0 };
  const commit = await git.writeCommit({
    fs,
    dir,
    commit: { tree, parent: head === undefined ? [] : [head], author: person, committer: person, message: input.message },
  });
  if ((await journalHead(dir)) !== head) {
    throw new OsmoseError('rollout.journal-moved', `${rolloutRef} moved while rollout ${id} was writing to it`, {
      hint: 'only one gateway may run rollouts in a building repository at a time',
      data: { rollout: id },
    });
  }
  await git.writeRef({ fs, dir, ref: rolloutRef, value: commit, force: true });
  return commit;
}

/** The journal's newest commit, or undefined before the first rollout. */
export async function journalHead(dir: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir, ref: rolloutRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}

async function subtree(dir: string, entries: readonly TreeEntry[], name: string): Promise<TreeEntry[]> {
  const entry = entries.find((candidate) => candidate.path === name);
  if (entry === undefined) return [];
  if (entry.type !== 'tree') throw new OsmoseError('rollout.journal-corrupt', `${rolloutRef}: ${name} is not a folder`, { data: { name } });
  return (await git.readTree({ fs, dir, oid: entry.oid })).tree;
}

async function blobEntry(dir: string, path: string, text: string): Promise<TreeEntry> {
  return { mode: '100644', path, type: 'blob', oid: await git.writeBlob({ fs, dir, blob: encoder.encode(text) }) };
}

async function treeEntry(dir: string, path: string, entries: readonly TreeEntry[]): Promise<TreeEntry> {
  return { mode: '040000', path, type: 'tree', oid: await git.writeTree({ fs, dir, tree: sorted(entries) }) };
}

function put(entries: readonly TreeEntry[], entry: TreeEntry): TreeEntry[] {
  return [...entries.filter((candidate) => candidate.path !== entry.path), entry];
}

/** Git orders tree entries by name, with a folder compared as if its name ended in `/`. */
function sorted(entries: readonly TreeEntry[]): TreeEntry[] {
  const key = (entry: TreeEntry): string => (entry.type === 'tree' ? `${entry.path}/` : entry.path);
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
