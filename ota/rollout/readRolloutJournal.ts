import fs from 'node:fs';
import git from 'isomorphic-git';
import { didYouMeanSuffix } from '../../lib/didYouMean.js';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';
import type { JournalEvent } from './JournalEvent.js';
import { rolloutLayout } from './rolloutLayout.js';
import { rolloutRef } from './rolloutRef.js';
import type { RolloutSpec } from './RolloutSpec.js';
import { journalHead } from './writeRolloutCommit.js';

export interface RolloutJournalRead {
  readonly spec: RolloutSpec;
  /** Every event, in the order they were recorded. */
  readonly events: readonly JournalEvent[];
  /** How many batches hold them. */
  readonly batches: number;
}

/** A rollout's spec and events as the journal's head (or `commit`) records them. */
export async function readRolloutJournal(root: string, id: string, commit?: string): Promise<RolloutJournalRead> {
  const head = commit ?? (await journalHead(root));
  const known = head === undefined ? [] : await rolloutIds(root, head);
  if (head === undefined || !known.includes(id)) {
    throw new InputError('rollout.unknown', `no rollout ${JSON.stringify(id)} in ${rolloutRef}${didYouMeanSuffix(id, known)}`, {
      hint: 'list the rollouts with `osmose ledger rollouts`',
      data: { rollout: id },
    });
  }
  const text = async (oid: string): Promise<string> => new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob);
  const specFile = rolloutLayout.spec(id);
  const spec = parse<RolloutSpec>(await text((await git.readBlob({ fs, dir: root, oid: head, filepath: specFile })).oid), specFile);
  const { tree } = await git.readTree({ fs, dir: root, oid: head, filepath: rolloutLayout.events(id) });
  const batches = tree.filter((entry) => entry.type === 'blob').sort((a, b) => (a.path < b.path ? -1 : 1));
  const events: JournalEvent[] = [];
  for (const batch of batches) {
    const file = `${rolloutLayout.events(id)}/${batch.path}`;
    for (const line of (await text(batch.oid)).split('\n')) if (line !== '') events.push(parse<JournalEvent>(line, file));
  }
  return { spec, events, batches: batches.length };
}

/** The ids of the rollouts a journal commit holds. */
export async function rolloutIds(root: string, commit: string): Promise<string[]> {
  try {
    const { tree } = await git.readTree({ fs, dir: root, oid: commit, filepath: rolloutLayout.rollouts });
    return tree.filter((entry) => entry.type === 'tree').map((entry) => entry.path);
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return [];
    throw error;
  }
}

function parse<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new OsmoseError('rollout.journal-corrupt', `${rolloutRef}:${file} is not valid JSON`, { hint: 'the journal was edited by hand; restore it from a replica', data: { file }, cause });
  }
}
