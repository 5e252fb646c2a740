import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initBuilding } from '../init/initBuilding.js';
import { caCertFile, caKeyFile, ensureBuildingCa } from './buildingCa.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function newBuilding(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-ca-'));
  temps.push(parent);
  const dir = join(parent, 'wgb');
  await initBuilding({ dir, template: 'empty', force: false, rootPassphrase: () => Promise.resolve('a long root passphrase'), author: { name: 'Test', email: 'test@example.org' } });
  return dir;
}

const git = (root: string, ...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });

describe('ensureBuildingCa', () => {
  it('is made by osmose init: the key 0600 and uncommitted, the certificate committed in the first commit', async () => {
    const root = await newBuilding();
    expect((await stat(join(root, caKeyFile))).mode & 0o777).toBe(0o600);
    expect(git(root, 'ls-files').split('\n')).toContain(caCertFile);
    expect(git(root, 'ls-files')).not.toMatch(/\.pem/);
    expect(git(root, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
    const certificate = new X509Certificate(git(root, 'show', `HEAD:${caCertFile}`));
    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe('CN=wgb building CA\nO=osmose');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBe(0);
    // Open for thirty years after init.
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * 365 * 24 * 3600 * 1000);
  });

  it('is idempotent: the same CA, the same files, no commit', async () => {
    const root = await newBuilding();
    const before = await readFile(join(root, caCertFile), 'utf8');
    const head = git(root, 'rev-parse', 'HEAD');
    const first = await ensureBuildingCa(root);
    const second = await ensureBuildingCa(root);
    for (const ca of [first, second]) expect(ca).toMatchObject({ certPem: before, made: false, committed: undefined });
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(git(root, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('makes and commits the CA of a building made before there was one, committing nothing else', async () => {
    const root = await newBuilding();
    // The building as an older osmose left it: no CA, and the operator's work in progress.
    git(root, 'rm', '-q', caCertFile);
    git(root, '-c', 'user.name=Test', '-c', 'user.email=test@example.org', 'commit', '-qm', 'a building without a CA');
    await rm(join(root, caKeyFile));
    await writeFile(join(root, 'README.md'), 'staged, not for osmose to commit\n');
    git(root, 'add', 'README.md');
    await writeFile(join(root, 'policies.yaml'), '# changed, not staged\n', { flag: 'a' });

    const ca = await ensureBuildingCa(root);
    expect(ca.made).toBe(true);
    expect(ca.committed).toBe(git(root, 'rev-parse', 'HEAD').trim());
    expect(git(root, 'show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([expect.stringContaining('The building CA') as unknown, '', caCertFile]);
    expect(git(root, 'show', `HEAD:${caCertFile}`)).toBe(ca.certPem);
    // The operator's changes are where they were: one staged, one not, neither committed.
    expect(git(root, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([' M policies.yaml', 'M  README.md']);
    execFileSync('git', ['-C', root, 'fsck', '--strict'], { stdio: 'pipe' });
    expect((await stat(join(root, caKeyFile))).mode & 0o777).toBe(0o600);
    expect((await ensureBuildingCa(root)).committed).toBeUndefined();
  });

  it('refuses a certificate without its key, and a key that is not the certificate\'s, before changing anything', async () => {
    const root = await newBuilding();
    const key = await readFile(join(root, caKeyFile), 'utf8');
    await rm(join(root, caKeyFile));
    await expect(ensureBuildingCa(root)).rejects.toMatchObject({ code: 'ca.private-key-missing', message: expect.stringContaining(caKeyFile) as unknown });
    await writeFile(join(root, caKeyFile), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await expect(ensureBuildingCa(root)).rejects.toMatchObject({ code: 'ca.key-mismatch' });
    await writeFile(join(root, caKeyFile), key);
    expect((await ensureBuildingCa(root)).made).toBe(false);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('is kept by osmose init --force, as the role keys are', async () => {
    const root = await newBuilding();
    const before = await readFile(join(root, caCertFile), 'utf8');
    const result = await initBuilding({ dir: root, template: 'empty', force: true, rootPassphrase: () => Promise.resolve('a long root passphrase'), author: { name: 'Test', email: 'test@example.org' } });
    expect(result.ca).toEqual({ fingerprint: new X509Certificate(before).fingerprint256, reused: true });
    expect(await readFile(join(root, caCertFile), 'utf8')).toBe(before);
  });
});
