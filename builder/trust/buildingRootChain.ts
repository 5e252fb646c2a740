import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicKeysDir } from '../init/makeRoleKeys.js';
import { readRootChain, type RootVersion } from './readRootChain.js';

/** readRootChain over the building's files on disk (`keys/<version>.root.json`), for commands that act outside a build. */
export async function buildingRootChain(root: string): Promise<RootVersion[] | undefined> {
  const names = await readdir(join(root, publicKeysDir)).catch(() => [] as string[]);
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    const path = `${publicKeysDir}/${name}`;
    if (/\.root\.json$/.test(name)) files.set(path, await readFile(join(root, publicKeysDir, name)));
  }
  return readRootChain(files);
}
