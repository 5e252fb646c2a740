import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import git from 'isomorphic-git';
import { gitBlobId } from '../ledger/gitBlobId.js';
import { treeFiles } from '../ledger/treeFiles.js';
import { inputKey, sha256 } from '../cache/inputKey.js';

/** Folders that are never build inputs: git's, osmose's private state, dependencies. */
const skipped = new Set(['.git', '.osmose', 'node_modules']);

export interface SourceSnapshot {
  /** Every file of the building repository (skipped folders aside), by `/` path → content. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** One hash over all of them: equal snapshots build equal ledgers. */
  readonly key: string;
  /** The repository's HEAD commit, if it has one. */
  readonly commit: string | undefined;
  /** Paths whose content differs from HEAD's (or that HEAD lacks). */
  readonly uncommitted: readonly string[];
}

/**
 * Reads the building repository as the build sees it. The key lets a build that changes
 * nothing stop after hashing; the commit and the uncommitted paths are the provenance each
 * image records (built from commit X, plus these edits).
 */
export async function snapshotSources(root: string): Promise<SourceSnapshot> {
  const files = new Map<string, Uint8Array>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (skipped.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.set(relative(root, path).split(sep).join('/'), new Uint8Array(await readFile(path)));
    }
  };
  await walk(root);

  const digests: Record<string, string> = {};
  for (const [path, bytes] of files) digests[path] = sha256(bytes);

  const commit = await git.resolveRef({ fs, dir: root, ref: 'HEAD' }).catch(() => undefined);
  const committed = commit === undefined ? new Map<string, string>() : await treeFiles(root, commit);
  const uncommitted = [...files].filter(([path, bytes]) => committed.get(path) !== gitBlobId(bytes)).map(([path]) => path);
  return { files, key: inputKey(digests), commit, uncommitted };
}
