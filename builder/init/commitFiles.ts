import fs from 'node:fs';
import git from 'isomorphic-git';

export interface Author {
  readonly name: string;
  readonly email: string;
}

export const defaultBranch = 'main';

/**
 * Commits `paths` (relative to `dir`, `/`-separated) as they are on disk, on the current
 * branch of the repository in `dir`, which is made (with branch main) if there is none.
 * Only these paths are staged: anything else in the folder is left out. Returns the new
 * commit and the branch it is on.
 */
export async function commitFiles(
  dir: string,
  paths: readonly string[],
  author: Author,
  message: string,
): Promise<{ readonly commit: string; readonly branch: string }> {
  const existing = await git.findRoot({ fs, filepath: dir }).then((root) => root === dir, () => false);
  if (!existing) {
    await git.init({ fs, dir, defaultBranch });
    // isomorphic-git writes the settings of a case-insensitive file system without modes;
    // a building repository lives on Linux, where both would hide real changes from git.
    await git.setConfig({ fs, dir, path: 'core.ignorecase', value: false });
    await git.setConfig({ fs, dir, path: 'core.filemode', value: true });
  }
  await git.add({ fs, dir, filepath: [...paths] });
  const commit = await git.commit({ fs, dir, author: { name: author.name, email: author.email }, message });
  return { commit, branch: (await git.currentBranch({ fs, dir })) ?? defaultBranch };
}
