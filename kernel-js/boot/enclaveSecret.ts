import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KernelError } from '../KernelError.js';

/**
 * The board's device-bound secret, `enclave.key` in its directory: made once (32 random bytes,
 * mode 0600), then read. Every enclave key is derived from it and never leaves the shim.
 */
export async function enclaveSecret(dir: string): Promise<Uint8Array> {
  const path = join(dir, 'enclave.key');
  // Written whole to a temporary file, then linked into place: a cut never leaves a short key,
  // and link refuses to replace a key that is already there.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, randomBytes(32), { mode: 0o600, flush: true });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const secret = await readFile(path);
  if (secret.length < 32) throw new KernelError('kernel.enclave-key', `${path} holds ${secret.length} bytes; the enclave needs 32`, { hint: 'restore the key from a backup; a new key cannot open what the old one sealed', data: { path } });
  return secret;
}
