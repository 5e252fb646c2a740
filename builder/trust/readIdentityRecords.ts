import fs from 'node:fs';
import git from 'isomorphic-git';
import { identitiesRef } from './identitiesRef.js';

/** An entry of a git tree, as isomorphic-git reads and writes them. */
export interface IdentityTreeEntry {
  readonly mode: string;
  readonly path: string;
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit';
}

export interface IdentityRecords {
  /** The identities ref's commit; undefined when no board has an identity yet. */
  readonly commit: string | undefined;
  /** The entries of its `boards/` tree, for writing the next commit. */
  readonly entries: readonly IdentityTreeEntry[];
  /** Each board's record as committed (the JSON text), by board id. */
  readonly texts: ReadonlyMap<string, string>;
}

/** The board records on refs/osmose/identities as they are committed, unparsed. */
export async function readIdentityRecords(root: string): Promise<IdentityRecords> {
  const commit = await git.resolveRef({ fs, dir: root, ref: identitiesRef }).catch(() => undefined);
  if (commit === undefined) return { commit, entries: [], texts: new Map() };
  const { tree } = (await git.readCommit({ fs, dir: root, oid: commit })).commit;
  const boards = (await git.readTree({ fs, dir: root, oid: tree })).tree.find((entry) => entry.path === 'boards' && entry.type === 'tree');
  if (boards === undefined) return { commit, entries: [], texts: new Map() };
  const entries = (await git.readTree({ fs, dir: root, oid: boards.oid })).tree;
  const texts = new Map<string, string>();
  const decoder = new TextDecoder();
  for (const entry of entries) {
    if (entry.type !== 'blob' || !entry.path.endsWith('.json')) continue;
    const { blob } = await git.readBlob({ fs, dir: root, oid: entry.oid });
    texts.set(entry.path.slice(0, -'.json'.length), decoder.decode(blob));
  }
  return { commit, entries, texts };
}
