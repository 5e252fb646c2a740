import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { tufPublicKey, type TufKey } from './tufPublicKey.js';

/** The TUF roles whose keys a building holds; root is the offline one. */
export const tufRoles = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TufRole = (typeof tufRoles)[number];

/** Private keys: never committed (.gitignore lists .osmose/). */
export const privateKeysDir = '.osmose/keys';
/** Public keys: committed, so that anyone with the repository can check a signature. */
export const publicKeysDir = 'keys';

export interface RoleKey {
  readonly role: TufRole;
  readonly keyid: string;
  readonly key: TufKey;
  /** True when the key was already in .osmose/keys and has been kept. */
  readonly reused: boolean;
}

/** The cipher that protects the root key at rest; the online keys must sign unattended. */
export const rootCipher = 'aes-256-cbc';

type Plan = { readonly role: TufRole; readonly existing?: KeyObject };

/**
 * Makes the four role keys of a building in `root`: Ed25519, the private halves in
 * `.osmose/keys/<role>.pem` (PKCS#8, mode 0600, in a 0700 folder), root's encrypted with
 * `rootPassphrase`. Keys already there are kept, never overwritten. Every existing key is
 * checked before anything is written, so a refusal leaves the folder as it was.
 */
export async function makeRoleKeys(root: string, rootPassphrase: string): Promise<RoleKey[]> {
  const plans: Plan[] = [];
  for (const role of tufRoles) plans.push(await planRole(root, role, rootPassphrase));

  const keysDir = join(root, privateKeysDir);
  if (plans.some((plan) => plan.existing === undefined)) {
    await mkdir(root, { recursive: true });
    // Created one at a time: a recursive mkdir would give `root` itself mode 0700 as well.
    await mkdir(join(root, '.osmose'), { mode: 0o700 }).catch(ignoreExisting);
    await mkdir(keysDir, { mode: 0o700 }).catch(ignoreExisting);
    await chmod(keysDir, 0o700);
  }

  const keys: RoleKey[] = [];
  for (const plan of plans) {
    if (plan.existing !== undefined) {
      keys.push({ role: plan.role, ...tufPublicKey(plan.existing), reused: true });
      continue;
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export(
      plan.role === 'root'
        ? { type: 'pkcs8', format: 'pem', cipher: rootCipher, passphrase: rootPassphrase }
        : { type: 'pkcs8', format: 'pem' },
    );
    const file = join(keysDir, `${plan.role}.pem`);
    // `wx` fails rather than replace a key that appeared since it was looked for.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    keys.push({ role: plan.role, ...tufPublicKey(privateKey), reused: false });
  }
  return keys;
}

async function planRole(root: string, role: TufRole, rootPassphrase: string): Promise<Plan> {
  const privateFile = `${privateKeysDir}/${role}.pem`;
  const publicFile = `${publicKeysDir}/${role}.json`;
  const pem = await readIfExists(join(root, privateFile));
  const published = await readIfExists(join(root, publicFile));
  if (pem === undefined) {
    if (published !== undefined) {
      throw new InputError('init.private-key-missing', `${publicFile} exists but its private key ${privateFile} does not`, {
        hint: `this building's keys were made elsewhere: copy its .osmose/keys/ here, or remove ${publicKeysDir}/ to make new keys (boards that trust the old ones will refuse updates signed by new ones)`,
        data: { role, publicFile, privateFile },
      });
    }
    return { role };
  }

  const existing = parsePrivateKey(pem, role, privateFile, rootPassphrase);
  const publishedHex = parsePublished(published);
  const { key } = tufPublicKey(existing);
  if (publishedHex !== undefined && publishedHex !== key.keyval.public) {
    throw new InputError('init.key-mismatch', `${publicFile} is not the public key of ${privateFile}`, {
      hint: `restore the ${role} key that ${publicFile} belongs to, or remove ${publicFile} so that osmose writes the public key of ${privateFile}`,
      data: { role, publicFile, privateFile },
    });
  }
  return { role, existing };
}

function parsePrivateKey(pem: string, role: TufRole, file: string, rootPassphrase: string): KeyObject {
  if (role === 'root' && !pem.includes('BEGIN ENCRYPTED PRIVATE KEY')) {
    throw new InputError('init.root-key-unencrypted', `${file} is not encrypted; osmose keeps the root key only encrypted`, {
      hint: `encrypt it (openssl pkcs8 -topk8 -v2 ${rootCipher} -in ${file} -out ${file}.new, then replace it), or move it away to make a new root key`,
      data: { role, file },
    });
  }
  let key: KeyObject;
  try {
    key = role === 'root' ? createPrivateKey({ key: pem, format: 'pem', passphrase: rootPassphrase }) : createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    if (role === 'root') {
      throw new InputError('init.wrong-passphrase', `cannot decrypt ${file} with the passphrase given`, {
        hint: 'give the passphrase this root key was encrypted with (in OSMOSE_ROOT_PASSPHRASE, or at the prompt)',
        data: { role, file },
        cause: error,
      });
    }
    throw new InputError('init.bad-key', `${file} is not an unencrypted PKCS#8 private key`, {
      hint: `move ${file} away to make a new ${role} key`,
      data: { role, file },
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InputError('init.bad-key', `${file} is an ${key.asymmetricKeyType ?? 'unknown'} key; osmose signs with Ed25519`, {
      hint: `move ${file} away to make a new ${role} key`,
      data: { role, file, type: key.asymmetricKeyType },
    });
  }
  return key;
}

/** The hex public key a committed key file holds, if it holds one. */
function parsePublished(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { keyval?: { public?: unknown } } | null;
    const hex = value?.keyval?.public;
    return typeof hex === 'string' ? hex : undefined;
  } catch {
    return undefined; // not a key: it is rewritten like any other template file
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
