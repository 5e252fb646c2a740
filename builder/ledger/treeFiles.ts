import fs from 'node:fs';
import git from 'isomorphic-git';

/** Every file in the tree of a commit (or a tree): `/`-separated path → blob id. */
export async function treeFiles(root: string, oid: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (tree: string, prefix: string): Promise<void> => {
    const { tree: entries } = await git.readTree({ fs, dir: root, oid: tree });
    for (const entry of entries) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      if (entry.type === 'tree') await walk(entry.oid, path);
      else files.set(path, entry.oid);
    }
  };
  await walk(oid, '');
  return files;
}
