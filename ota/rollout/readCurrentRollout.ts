import fs from 'node:fs';
import git from 'isomorphic-git';
import { rolloutLayout, type CurrentRollout } from './rolloutLayout.js';
import { journalHead } from './writeRolloutCommit.js';

/** current.json of the journal's head: the rollout in progress, if any; undefined before the first rollout. */
export async function readCurrentRollout(root: string): Promise<CurrentRollout | undefined> {
  const head = await journalHead(root);
  if (head === undefined) return undefined;
  try {
    const { blob } = await git.readBlob({ fs, dir: root, oid: head, filepath: rolloutLayout.current });
    return JSON.parse(new TextDecoder().decode(blob)) as CurrentRollout;
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}
