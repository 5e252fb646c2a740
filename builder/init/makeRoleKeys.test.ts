import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import { makeRoleKeys, tufRoles } from './makeRoleKeys.js';

const passphrase = 'a long root passphrase';
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-keys-'));
  temps.push(dir);
  return dir;
}

async function contents(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    result[name] = (await stat(path)).isDirectory() ? 'dir' : await readFile(path, 'utf8');
  }
  return result;
}

describe('makeRoleKeys', () => {
  it('makes one Ed25519 key per role, private files 0600 in a 0700 folder, root encrypted', async () => {
    const root = join(await tempDir(), 'new-building');
    const keys = await makeRoleKeys(root, passphrase);
    expect(keys.map((key) => key.role)).toEqual([...tufRoles]);
    expect(keys.every((key) => !key.reused)).toBe(true);
    expect(new Set(keys.map((key) => key.keyid)).size).toBe(4);
    expect((await stat(root)).mode & 0o777).not.toBe(0o700); // only .osmose is private
    expect((await stat(join(root, '.osmose'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, '.osmose/keys'))).mode & 0o777).toBe(0o700);
    for (const role of tufRoles) {
      const file = join(root, '.osmose/keys', `${role}.pem`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const pem = await readFile(file, 'utf8');
      expect(pem.includes('ENCRYPTED')).toBe(role === 'root');
    }
    const rootPem = await readFile(join(root, '.osmose/keys/root.pem'), 'utf8');
    expect(() => createPrivateKey(rootPem)).toThrow();
    expect(createPrivateKey({ key: rootPem, passphrase }).asymmetricKeyType).toBe('ed25519');
  });

  it('keeps keys that exist and makes only the missing ones', async () => {
    const root = await tempDir();
    const first = await makeRoleKeys(root, passphrase);
    const kept = await readFile(join(root, '.osmose/keys/root.pem'), 'utf8');
    await rm(join(root, '.osmose/keys/timestamp.pem'));

    const second = await makeRoleKeys(root, passphrase);
    expect(second.map((key) => key.reused)).toEqual([true, true, true, false]);
    expect(second.slice(0, 3)).toEqual(first.slice(0, 3).map((key) => ({ ...key, reused: true })));
    expect(second[3]?.keyid).not.toBe(first[3]?.keyid);
    expect(await readFile(join(root, '.osmose/keys/root.pem'), 'utf8')).toBe(kept);
  });

  it.each([
    ['a wrong passphrase for the existing root key', 'init.wrong-passphrase', async (root: string) => {
      await makeRoleKeys(root, 'another passphrase');
      await rm(join(root, '.osmose/keys/targets.pem'));
    }],
    ['a root key stored unencrypted', 'init.root-key-unencrypted', async (root: string) => {
      await mkdir(join(root, '.osmose/keys'), { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      await writeFile(join(root, '.osmose/keys/root.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    }],
    ['an online key that is not Ed25519', 'init.bad-key', async (root: string) => {
      await mkdir(join(root, '.osmose/keys'), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeFile(join(root, '.osmose/keys/snapshot.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    }],
    ['an online key that is not a key', 'init.bad-key', async (root: string) => {
      await mkdir(join(root, '.osmose/keys'), { recursive: true });
      await writeFile(join(root, '.osmose/keys/targets.pem'), 'garbage\n');
    }],
    ['a committed public key whose private key is missing', 'init.private-key-missing', async (root: string) => {
      await mkdir(join(root, 'keys'));
      await writeFile(join(root, 'keys/targets.json'), '{"keyval":{"public":"00"}}\n');
    }],
    ['a committed public key of another private key', 'init.key-mismatch', async (root: string) => {
      await makeRoleKeys(root, passphrase);
      await mkdir(join(root, 'keys'));
      await writeFile(join(root, 'keys/snapshot.json'), `{"keyval":{"public":"${'ab'.repeat(32)}"}}\n`);
      await rm(join(root, '.osmose/keys/timestamp.pem'));
    }],
  ])('refuses %s and writes nothing', async (_what, code, arrange) => {
    const root = await tempDir();
    await arrange(root);
    const before = await contents(root);
    const refusal = makeRoleKeys(root, passphrase);
    await expect(refusal).rejects.toBeInstanceOf(InputError);
    await expect(refusal).rejects.toMatchObject({ code });
    expect(await contents(root)).toEqual(before);
  });
});
