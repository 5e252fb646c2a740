import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metadata, Root } from '@tufjs/models';
import { checkRootStep } from '../../kernel-js/trust/checkRootStep.js';
import { sha256Hex } from '../../kernel-js/trust/parseMetadata.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { SigningKey } from '../build/signManifest.js';
import { privateKeysDir, publicKeysDir, rootCipher, tufRoles, type TufRole } from '../init/makeRoleKeys.js';
import { tufPublicKey, type TufKey } from '../init/tufPublicKey.js';
import { buildingRootChain } from './buildingRootChain.js';
import { loadSigners } from './loadSigners.js';
import { makeRoot, type RoleDefinition } from './makeRoot.js';
import { roleKeyFiles } from './roleKeyFiles.js';
import { signMetadata } from './signMetadata.js';
import { rootText } from './signFirstRoot.js';
import { keyFileName, roleLifetimes, rootMetadataFile } from './trustLayout.js';

export interface RotateOptions {
  readonly role: TufRole;
  /** How many keys the role gets; as many as it has now by default. */
  readonly keys?: number | undefined;
  /** How many of them must sign; the current threshold (at most `keys`) by default. */
  readonly threshold?: number | undefined;
  /** Decrypts the current root keys and encrypts new ones. */
  readonly passphrase: string;
  readonly now?: Date;
}

export interface RotateResult {
  readonly role: TufRole;
  /** The root version before and after. */
  readonly from: number;
  readonly to: number;
  readonly threshold: number;
  readonly keys: readonly { readonly keyid: string; readonly private: string; readonly public: string }[];
  /** Where the replaced private keys were moved (`.osmose/keys/retired/`). */
  readonly retired: readonly string[];
  /** The root metadata files written (`keys/<version>.root.json`). */
  readonly written: readonly string[];
}

export const retiredKeysDir = `${privateKeysDir}/retired`;

/**
 * Replaces a role's keys: new Ed25519 keys (and threshold) for `role`, named in a new root
 * version N+1 that is signed by a threshold of root N's keys and of its own, so a board that
 * trusts root N can walk to N+1 and no further without both. For root itself this chains the
 * new root key through the old one; for the other roles root's keys are unchanged and sign the
 * new version. The replaced private keys move to `.osmose/keys/retired/`; the next
 * `osmose build` signs with the new keys. Everything is signed and checked before anything
 * is written. A building with no root metadata yet gets version 1 (its current keys) first.
 */
export async function rotateRoleKeys(root: string, options: RotateOptions): Promise<RotateResult> {
  const { role, passphrase } = options;
  const now = options.now ?? new Date();
  const written: { file: string; text: string }[] = [];
  const chain = await buildingRootChain(root);
  let current = chain?.at(-1)?.metadata;
  const rootSigners = async (keyids: readonly string[]): Promise<SigningKey[]> => [...(await loadSigners(root, 'root', keyids, passphrase)).signers];
  if (current === undefined) {
    current = await firstRootFromKeyFiles(root, now);
    signMetadata(current, await rootSigners(current.signed.roles['root']?.keyIDs ?? []));
    written.push({ file: rootMetadataFile(1), text: rootText(current.toJSON()) });
  }

  const definition = current.signed.roles[role];
  const count = options.keys ?? definition?.keyIDs.length ?? 1;
  const threshold = options.threshold ?? Math.min(definition?.threshold ?? 1, count);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(threshold) || threshold < 1 || threshold > count) {
    throw new InputError('keys.usage', `a role needs at least one key and a threshold between 1 and its number of keys, not ${threshold} of ${count}`, { data: { keys: count, threshold } });
  }
  const made = Array.from({ length: count }, (_, i) => {
    const { privateKey } = generateKeyPairSync('ed25519');
    return { index: i + 1, privateKey, ...tufPublicKey(privateKey) };
  });

  const roles = {} as Record<TufRole, RoleDefinition>;
  for (const name of tufRoles) {
    const kept = current.signed.roles[name];
    roles[name] =
      name === role
        ? { keys: made.map(({ keyid, key }) => ({ keyid, key })), threshold }
        : { keys: (kept?.keyIDs ?? []).map((keyid) => ({ keyid, key: tufKeyOf(current, keyid) })), threshold: kept?.threshold ?? 1 };
  }
  const next = makeRoot(current.signed.version + 1, new Date(now.getTime() + roleLifetimes.root), roles);
  const signers = await rootSigners(current.signed.roles['root']?.keyIDs ?? []);
  if (role === 'root') signers.push(...made.map(({ keyid, privateKey }) => ({ keyid, key: privateKey })));
  signMetadata(next, signers);
  const text = rootText(next.toJSON());
  const problem = checkRootStep(current, next, sha256Hex(Buffer.from(text)));
  if (problem !== undefined) {
    throw new InputError('keys.below-threshold', `cannot sign root version ${next.signed.version}: ${problem}`, {
      hint: `the root keys of version ${current.signed.version} must be in ${privateKeysDir}/ (with the passphrase they were encrypted with)`,
      data: { role, version: next.signed.version },
    });
  }
  written.push({ file: rootMetadataFile(next.signed.version), text });

  // Signed and checked: now the files.
  const keysDir = join(root, privateKeysDir);
  await mkdir(join(root, '.osmose'), { mode: 0o700 }).catch(ignoreExisting);
  await mkdir(keysDir, { mode: 0o700 }).catch(ignoreExisting);
  await mkdir(join(root, retiredKeysDir), { mode: 0o700 }).catch(ignoreExisting);
  const retired: string[] = [];
  for (const file of (await roleKeyFiles(root)).filter((candidate) => candidate.role === role)) {
    if (file.hasPrivate) {
      const to = `${retiredKeysDir}/${role}-${file.keyid.slice(0, 16)}.pem`;
      await rename(join(root, file.privateFile), join(root, to));
      retired.push(to);
    }
    await rm(join(root, file.publicFile), { force: true });
  }
  const keys: { keyid: string; private: string; public: string }[] = [];
  for (const { index, privateKey, keyid, key } of made) {
    const name = keyFileName(role, index);
    const privateFile = `${privateKeysDir}/${name}.pem`;
    const publicFile = `${publicKeysDir}/${name}.json`;
    await writeFile(join(root, privateFile), exportPrivate(privateKey, role, passphrase), { mode: 0o600, flag: 'wx' });
    await chmod(join(root, privateFile), 0o600);
    await writeFile(join(root, publicFile), `${JSON.stringify({ keyid, ...key }, null, 2)}\n`);
    keys.push({ keyid, private: privateFile, public: publicFile });
  }
  for (const { file, text: content } of written) await writeFile(join(root, file), content);
  return { role, from: next.signed.version - 1, to: next.signed.version, threshold, keys, retired, written: written.map(({ file }) => file) };
}

function tufKeyOf(root: Metadata<Root>, keyid: string): TufKey {
  const key = root.signed.keys[keyid];
  const hex = key?.keyVal['public'];
  if (key === undefined || hex === undefined) throw new InputError('keys.root-chain', `root ${root.signed.version} names key ${keyid} but does not list it`, { data: { keyid } });
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: hex } };
}

/** Root version 1 for a building made before osmose kept root metadata: its current keys/<role>.json, one per role, threshold 1. */
async function firstRootFromKeyFiles(root: string, now: Date): Promise<Metadata<Root>> {
  const files = await roleKeyFiles(root);
  const roles = {} as Record<TufRole, RoleDefinition>;
  for (const role of tufRoles) {
    const file = files.find((candidate) => candidate.role === role && candidate.index === 1);
    if (file === undefined) throw new InputError('keys.missing-role', `${publicKeysDir}/${role}.json is missing, so there is no ${role} key to name`, { hint: 'restore keys/ from the repository', data: { role } });
    roles[role] = { keys: [{ keyid: file.keyid, key: file.key }], threshold: 1 };
  }
  return makeRoot(1, new Date(now.getTime() + roleLifetimes.root), roles);
}

function exportPrivate(key: KeyObject, role: TufRole, passphrase: string): string {
  const pem = key.export(role === 'root' ? { type: 'pkcs8', format: 'pem', cipher: rootCipher, passphrase } : { type: 'pkcs8', format: 'pem' });
  return typeof pem === 'string' ? pem : pem.toString('utf8');
}

function ignoreExisting(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
