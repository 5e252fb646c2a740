import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { privateKeysDir } from '../init/makeRoleKeys.js';

/** Where the building's circuit secret is kept, beside the online signing keys. */
export const circuitSecretFile = 'circuits.key';

const secretBytes = 32;

/**
 * The building's circuit secret: 32 random bytes every circuit's pairwise key is derived
 * from (circuitKey). Made on first use, mode 0600, never over one that is there (`wx`), so two
 * builds racing keep the same one. Losing it only re-keys the circuits: the next build gives
 * every circuit a new key and the boards at both ends a new configuration.
 */
export async function ensureCircuitSecret(root: string): Promise<Uint8Array> {
  const file = join(root, privateKeysDir, circuitSecretFile);
  const existing = await readSecret(file);
  if (existing !== undefined) return existing;
  await mkdir(join(root, '.osmose'), { mode: 0o700 }).catch(ignoreExisting);
  await mkdir(join(root, privateKeysDir), { mode: 0o700 }).catch(ignoreExisting);
  try {
    await writeFile(file, Buffer.from(randomBytes(secretBytes)).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const made = await readSecret(file);
  if (made === undefined) throw new OsmoseError('circuit.no-secret', `${file} could not be read back after it was written`, { data: { file } });
  return made;
}

async function readSecret(file: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const hex = text.trim();
  if (!new RegExp(`^[0-9a-f]{${secretBytes * 2}}$`).test(hex)) {
    throw new OsmoseError('circuit.bad-secret', `${file} does not hold a circuit secret (${secretBytes * 2} hex digits)`, {
      hint: `restore it from a backup, or delete it: the next build makes a new one and re-keys every circuit`,
      data: { file },
    });
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
