import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicKeysDir } from '../../builder/init/makeRoleKeys.js';
import { InputError } from '../../lib/OsmoseError.js';

/** The raw Ed25519 public key (hex) of the building's targets role, from its committed keys/targets.json. */
export async function readTargetsKey(root: string): Promise<string> {
  const file = join(root, publicKeysDir, 'targets.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError('flash.no-trust-root', `${file} cannot be read, so nothing signed by this building can be checked`, {
      hint: 'the building\'s public keys live in keys/ (osmose init made them); restore keys/targets.json from the repository',
      data: { file },
      cause,
    });
  }
  let hex: unknown;
  try {
    hex = (JSON.parse(text) as { keyval?: { public?: unknown } } | null)?.keyval?.public;
  } catch {
    hex = undefined;
  }
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/i.test(hex)) {
    throw new InputError('flash.bad-trust-root', `${file} does not hold an Ed25519 public key (keyval.public in hex)`, {
      hint: 'restore keys/targets.json from the repository',
      data: { file },
    });
  }
  return hex.toLowerCase();
}
