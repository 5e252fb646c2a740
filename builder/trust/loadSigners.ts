import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import type { SigningKey } from '../build/signManifest.js';
import type { TufRole } from '../init/makeRoleKeys.js';
import { rootPassphraseVariable } from '../init/rootPassphrase.js';
import { tufPublicKey } from '../init/tufPublicKey.js';
import { roleKeyFiles } from './roleKeyFiles.js';

export interface RoleSigners {
  readonly role: TufRole;
  readonly signers: readonly SigningKey[];
  /** Key ids the role names whose private half is not in .osmose/keys/. */
  readonly missing: readonly string[];
}

/**
 * The private keys of `keyids` (the keys the root names for `role`) that this building keeps
 * in `.osmose/keys/`; root's are decrypted with `passphrase`. A key file whose public half is
 * not the key id it is filed under is refused, never used.
 */
export async function loadSigners(root: string, role: TufRole, keyids: readonly string[], passphrase?: string): Promise<RoleSigners> {
  const files = (await roleKeyFiles(root)).filter((file) => file.role === role && keyids.includes(file.keyid) && file.hasPrivate);
  const signers: SigningKey[] = [];
  for (const file of files) {
    const key = await readPrivateKey(root, role, file.privateFile, passphrase);
    if (tufPublicKey(key).keyid !== file.keyid) {
      throw new InputError('keys.key-mismatch', `${file.privateFile} is not the private half of ${file.publicFile}`, {
        hint: `restore the ${role} key that ${file.publicFile} names`,
        data: { role, privateFile: file.privateFile, publicFile: file.publicFile },
      });
    }
    signers.push({ keyid: file.keyid, key });
  }
  const found = new Set(signers.map((signer) => signer.keyid));
  return { role, signers, missing: keyids.filter((keyid) => !found.has(keyid)) };
}

async function readPrivateKey(root: string, role: TufRole, file: string, passphrase: string | undefined): Promise<KeyObject> {
  const pem = await readFile(join(root, file), 'utf8');
  if (role !== 'root') return createPrivateKey(pem);
  if (passphrase === undefined) {
    throw new InputError('keys.no-passphrase', `signing with the root key ${file} needs its passphrase`, { hint: `set ${rootPassphraseVariable}, or run the command in a terminal`, data: { file } });
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (cause) {
    throw new InputError('keys.wrong-passphrase', `cannot decrypt ${file} with the passphrase given`, { hint: 'give the passphrase the root key was encrypted with', data: { file }, cause });
  }
}
