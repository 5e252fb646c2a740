import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateKeysDir } from '../init/makeRoleKeys.js';

/**
 * Writes a private key into `.osmose/keys/` as makeRoleKeys writes role keys: PKCS#8 PEM,
 * mode 0600, in folders of mode 0700 made one level at a time (a recursive mkdir would give
 * the building's own folder 0700 too), and never over a key that is there: `wx` fails
 * instead, so two processes cannot each make a key and keep different ones.
 */
export async function writePrivateKeyFile(root: string, name: string, key: KeyObject): Promise<void> {
  const keysDir = join(root, privateKeysDir);
  await mkdir(join(root, '.osmose'), { mode: 0o700 }).catch(ignoreExisting);
  await mkdir(keysDir, { mode: 0o700 }).catch(ignoreExisting);
  await chmod(keysDir, 0o700);
  const file = join(keysDir, name);
  await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
