import { createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRoleKeys } from '../init/makeRoleKeys.js';
import { buildingRootChain } from './buildingRootChain.js';
import { listRoleKeys } from './listRoleKeys.js';
import { rotateRoleKeys } from './rotateRoleKeys.js';
import { signFirstRoot } from './signFirstRoot.js';

const passphrase = 'a long root passphrase';
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** What osmose init leaves of a building's trust: its keys and root version 1. */
async function building(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'osmose-rotate-'));
  temps.push(root);
  const keys = await makeRoleKeys(root, passphrase);
  await mkdir(join(root, 'keys'));
  for (const key of keys) await writeFile(join(root, 'keys', `${key.role}.json`), JSON.stringify({ keyid: key.keyid, ...key.key }));
  await writeFile(join(root, 'keys/1.root.json'), await signFirstRoot(root, keys, passphrase, new Date()));
  return root;
}

const roleOf = async (root: string, role: string): Promise<{ keyIDs: string[]; threshold: number }> => {
  const current = (await buildingRootChain(root))?.at(-1)?.metadata;
  const definition = current?.signed.roles[role];
  if (definition === undefined) throw new Error(`no ${role}`);
  return definition;
};

describe('rotateRoleKeys', () => {
  it('gives a role new keys and a threshold in root version 2, signed by root 1, and retires the old key', async () => {
    const root = await building();
    const before = await roleOf(root, 'targets');
    const rootKeys = (await roleOf(root, 'root')).keyIDs;
    const result = await rotateRoleKeys(root, { role: 'targets', keys: 2, threshold: 2, passphrase });
    expect(result).toMatchObject({ role: 'targets', from: 1, to: 2, threshold: 2, written: ['keys/2.root.json'] });
    expect(result.keys.map((key) => [key.private, key.public])).toEqual([
      ['.osmose/keys/targets.pem', 'keys/targets.json'],
      ['.osmose/keys/targets.2.pem', 'keys/targets.2.json'],
    ]);
    expect(result.retired).toEqual([`.osmose/keys/retired/targets-${before.keyIDs[0]?.slice(0, 16)}.pem`]);
    // The chain verifies (buildingRootChain checks every step), and root 2 names the new keys.
    expect(await roleOf(root, 'targets')).toMatchObject({ keyIDs: result.keys.map((key) => key.keyid), threshold: 2 });
    for (const key of result.keys) expect((await stat(join(root, key.private))).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, '.osmose/keys/retired'))).mode & 0o777).toBe(0o700);
    expect((await roleOf(root, 'root')).keyIDs).toEqual(rootKeys);
  });

  it('chains a new root key through the old one: root 2 carries both signatures; the new key is encrypted', async () => {
    const root = await building();
    const oldRoot = (await roleOf(root, 'root')).keyIDs[0];
    const result = await rotateRoleKeys(root, { role: 'root', passphrase });
    const two = JSON.parse(await readFile(join(root, 'keys/2.root.json'), 'utf8')) as { signatures: { keyid: string }[] };
    expect(two.signatures.map((s) => s.keyid).sort()).toEqual([oldRoot, result.keys[0]?.keyid].sort());
    const pem = await readFile(join(root, '.osmose/keys/root.pem'), 'utf8');
    expect(pem).toContain('ENCRYPTED');
    expect(createPrivateKey({ key: pem, passphrase }).asymmetricKeyType).toBe('ed25519');
    // And once more: root 3 is signed by root 2's key, not root 1's.
    await rotateRoleKeys(root, { role: 'timestamp', passphrase });
    expect((await buildingRootChain(root))?.map((version) => version.version)).toEqual([1, 2, 3]);
  });

  it('refuses before writing anything: a wrong passphrase, a threshold above the keys', async () => {
    const root = await building();
    const files = async (): Promise<string[]> => (await readdir(root, { recursive: true })).sort();
    const before = await files();
    await expect(rotateRoleKeys(root, { role: 'snapshot', passphrase: 'wrong' })).rejects.toMatchObject({ code: 'keys.wrong-passphrase' });
    await expect(rotateRoleKeys(root, { role: 'snapshot', keys: 1, threshold: 2, passphrase })).rejects.toMatchObject({ code: 'keys.usage' });
    expect(await files()).toEqual(before);
  });

  it('signs root version 1 first for a building made before root metadata was kept', async () => {
    const root = await building();
    await rm(join(root, 'keys/1.root.json'));
    const result = await rotateRoleKeys(root, { role: 'timestamp', passphrase });
    expect(result.written).toEqual(['keys/1.root.json', 'keys/2.root.json']);
    expect((await buildingRootChain(root))?.length).toBe(2);
  });
});

describe('listRoleKeys', () => {
  it('lists each role of the newest root with its threshold, and where each private half is', async () => {
    const root = await building();
    await rotateRoleKeys(root, { role: 'targets', keys: 2, threshold: 1, passphrase });
    await rm(join(root, '.osmose/keys/targets.2.pem'));
    const listing = await listRoleKeys(root);
    expect(listing.root).toBe(2);
    expect(listing.roles.map((role) => [role.role, role.threshold, role.keys.map((key) => key.private)])).toEqual([
      ['root', 1, ['.osmose/keys/root.pem']],
      ['targets', 1, ['.osmose/keys/targets.pem', null]],
      ['snapshot', 1, ['.osmose/keys/snapshot.pem']],
      ['timestamp', 1, ['.osmose/keys/timestamp.pem']],
    ]);
    expect(listing.roles[0]).toMatchObject({ version: 2, keys: [{ encrypted: true }], lifetimeDays: 365 });
    expect(listing.roles[1]).toMatchObject({ version: null, expires: null, lifetimeDays: 90 });
  });
});
