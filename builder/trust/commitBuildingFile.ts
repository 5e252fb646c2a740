import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { InputError } from '../../lib/OsmoseError.js';
import type { Author } from '../init/commitFiles.js';

type TreeEntry = { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' };

/**
 * Commits one file of the building as it is on disk, on the current branch, and nothing else:
 * the new tree is HEAD's with that one path replaced, so whatever else the operator has
 * changed or staged stays as it was, uncommitted. The path's index entry is brought up to
 * date. Returns the new commit, or undefined when HEAD already holds the file as it is.
 */
export async function commitBuildingFile(root: string, path: string, author: Author, message: string, when: Date): Promise<string | undefined> {
  const repository = await git.findRoot({ fs, filepath: root }).catch(() => undefined);
  if (repository !== root) {
    throw new InputError('ca.no-repository', `${root} is not a git repository, so ${path} cannot be committed`, {
      hint: 'osmose init makes a building repository; run it there (with --force to keep the files that are there)',
      data: { root, path },
    });
  }
  const blob = await git.writeBlob({ fs, dir: root, blob: await readFile(join(root, ...path.split('/'))) });
  const parent = await git.resolveRef({ fs, dir: root, ref: 'HEAD' }).catch(() => undefined);
  const tree = parent === undefined ? undefined : (await git.readCommit({ fs, dir: root, oid: parent })).commit.tree;
  const next = await replaceInTree(root, tree, path.split('/'), blob);
  if (next === tree) return undefined;

  const signature = { name: author.name, email: author.email, timestamp: Math.floor(when.getTime() / 1000), timezoneOffset: 0 };
  const commit = await git.writeCommit({
    fs,
    dir: root,
    commit: { tree: next, parent: parent === undefined ? [] : [parent], author: signature, committer: signature, message },
  });
  const branch = await git.currentBranch({ fs, dir: root, fullname: true });
  await git.writeRef({ fs, dir: root, ref: branch ?? 'HEAD', value: commit, force: true });
  await git.add({ fs, dir: root, filepath: path });
  return commit;
}

/** The tree `oid` with `segments` set to the blob, written bottom up; the same oid when nothing changed. */
async function replaceInTree(root: string, oid: string | undefined, segments: readonly string[], blob: string): Promise<string> {
  const [name, ...rest] = segments;
  if (name === undefined) throw new Error('an empty path');
  const entries: TreeEntry[] = oid === undefined ? [] : (await git.readTree({ fs, dir: root, oid })).tree;
  const existing = entries.find((entry) => entry.path === name);
  const entry: TreeEntry =
    rest.length === 0
      ? { mode: '100644', path: name, oid: blob, type: 'blob' }
      : { mode: '040000', path: name, oid: await replaceInTree(root, existing?.type === 'tree' ? existing.oid : undefined, rest, blob), type: 'tree' };
  if (oid !== undefined && existing?.oid === entry.oid && existing.mode === entry.mode) return oid;
  // writeTree sorts the entries as git does (a tree sorts as if its name ended in '/').
  return git.writeTree({ fs, dir: root, tree: [...entries.filter((other) => other.path !== name), entry] });
}
