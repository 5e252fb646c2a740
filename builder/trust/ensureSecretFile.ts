import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OsmoseError } from '../../lib/OsmoseError.js';

/** What a building secret's file is called in errors, and what to do when it is damaged. */
export interface SecretFileRefusals {
  /** The code when the file holds anything but the secret, such as `circuit.bad-secret`. */
  readonly badCode: string;
  /** What the file should hold, for the message: "a circuit secret". */
  readonly what: string;
  /** What restoring or deleting it means for the building. */
  readonly hint: string;
  /** The code when the file cannot be read back after it was written. */
  readonly missingCode: string;
}

const secretBytes = 32;

/**
 * A building secret kept in a file of the private keys' folder: 32 random bytes as 64 hex
 * digits. Made on first use, mode 0600 in a 0700 folder, never over one that is there (`wx`),
 * so two processes racing on first use end with the same secret; then read.
 */
export async function ensureSecretFile(file: string, refusals: SecretFileRefusals): Promise<Uint8Array> {
  const existing = await readSecretFile(file, refusals);
  if (existing !== undefined) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(secretBytes).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const made = await readSecretFile(file, refusals);
  if (made === undefined) throw new OsmoseError(refusals.missingCode, `${file} could not be read back after it was written`, { data: { file } });
  return made;
}

async function readSecretFile(file: string, refusals: SecretFileRefusals): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const hex = text.trim();
  if (!new RegExp(`^[0-9a-f]{${secretBytes * 2}}$`).test(hex)) {
    throw new OsmoseError(refusals.badCode, `${file} does not hold ${refusals.what} (${secretBytes * 2} hex digits)`, { hint: refusals.hint, data: { file } });
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
