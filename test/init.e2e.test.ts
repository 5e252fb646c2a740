import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canonicalize } from '@tufjs/canonical-json';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { tufRoles } from '../builder/init/makeRoleKeys.js';
import { templateNames } from '../builder/init/templateNames.js';
import { validateBuilding } from '../builder/validate/validateBuilding.js';
import { runOsmose, type Run } from './fixtures/runOsmose.js';

const run = promisify(execFile);
const passphrase = 'correct horse battery staple';
const cliPath = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-init-'));
  temps.push(dir);
  return dir;
}

function osmose(argv: readonly string[], options: { cwd: string; env?: Record<string, string>; interactive?: boolean }): Promise<Run> {
  return runOsmose(argv, { env: { OSMOSE_ROOT_PASSPHRASE: passphrase }, ...options });
}

async function git(dir: string, ...args: string[]): Promise<string> {
  // The real git, reading no configuration but the repository's own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const { stdout } = await run('git', args, { cwd: dir, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  return stdout;
}

/** Every path under `dir` with its type, mode and contents, to compare before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, entry);
    const info = await lstat(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isDirectory()) result[entry] = `dir ${mode}`;
    else if (info.isSymbolicLink()) result[entry] = `link ${await readlink(path)}`;
    else result[entry] = `file ${mode} ${(await readFile(path)).toString('base64')}`;
  }
  return result;
}

describe('osmose init', () => {
  it.each(templateNames)('makes a %s building that validates, with a clean first commit that git accepts', async (template) => {
    const cwd = await tempDir();
    const result = await osmose(['init', 'my-building', '--template', template], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const dir = join(cwd, 'my-building');

    const validation = await validateBuilding(dir);
    expect(validation.issues).toEqual([]);
    expect(validation.ok).toBe(true);
    expect((await osmose(['-C', dir, 'validate'], { cwd })).code).toBe(0);

    await git(dir, 'fsck', '--strict');
    expect((await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe('main');
    expect((await git(dir, 'log', '--format=%an <%ae>|%s')).trim()).toBe(
      `osmose <osmose@localhost>|Initialise building my-building from the ${template} template`,
    );
    expect(await git(dir, 'status', '--porcelain')).toBe('');

    const tracked = (await git(dir, 'ls-files')).trim().split('\n');
    expect(tracked).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'apps/README.md',
        'building.yaml',
        'policies.yaml',
        'schema/building.schema.json',
        'schema/policies.schema.json',
        ...tufRoles.map((role) => `keys/${role}.json`),
      ]),
    );
    expect(tracked.filter((path) => path.startsWith('.osmose'))).toEqual([]);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.osmose\/$/m);
    expect((await readFile(join(dir, 'building.yaml'), 'utf8')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/building.schema.json');
    expect((await readFile(join(dir, 'policies.yaml'), 'utf8')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/policies.schema.json');
    expect(parse(await readFile(join(dir, 'building.yaml'), 'utf8'))).toMatchObject({ building: { id: 'my-building', name: 'my-building' }, policies: 'policies.yaml' });
    const schema = JSON.parse(await readFile(join(dir, 'schema/building.schema.json'), 'utf8')) as { $id: string };
    expect(schema.$id).toMatch(/building\.schema\.json$/);

    expect(result.stdout).toContain(dir);
    expect(result.stdout).toContain(`osmose -C ${dir} validate`);
    expect(result.stdout).toContain((await git(dir, 'rev-parse', 'HEAD')).trim());
    for (const role of tufRoles) {
      const key = JSON.parse(await readFile(join(dir, 'keys', `${role}.json`), 'utf8')) as { keyid: string };
      expect(result.stdout).toContain(key.keyid);
    }
  });

  it('keeps private keys in .osmose/keys, mode 0600 in a 0700 folder, the root key encrypted', async () => {
    const dir = join(await tempDir(), 'b');
    expect((await osmose(['init', dir], { cwd: tmpdir() })).code).toBe(0);

    expect((await stat(join(dir, '.osmose/keys'))).mode & 0o777).toBe(0o700);
    // The four role keys and the building CA's key (builder/trust/buildingCa.ts).
    expect((await readdir(join(dir, '.osmose/keys'))).sort()).toEqual([...tufRoles, 'ca'].map((name) => `${name}.pem`).sort());
    for (const name of [...tufRoles, 'ca']) expect((await stat(join(dir, '.osmose/keys', `${name}.pem`))).mode & 0o777).toBe(0o600);

    const rootPem = await readFile(join(dir, '.osmose/keys/root.pem'), 'utf8');
    expect(rootPem).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(() => createPrivateKey({ key: rootPem, format: 'pem' })).toThrow();
    expect(() => createPrivateKey({ key: rootPem, format: 'pem', passphrase: 'not the passphrase' })).toThrow();
    expect(createPrivateKey({ key: rootPem, format: 'pem', passphrase }).asymmetricKeyType).toBe('ed25519');
    for (const role of ['targets', 'snapshot', 'timestamp']) {
      const pem = await readFile(join(dir, '.osmose/keys', `${role}.pem`), 'utf8');
      expect(createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType).toBe('ed25519');
    }
  });

  it('commits each public key as a TUF key object that matches its private key', async () => {
    const dir = join(await tempDir(), 'b');
    expect((await osmose(['init', dir, '--template', 'empty'], { cwd: tmpdir() })).code).toBe(0);

    const keyids = new Set<string>();
    for (const role of tufRoles) {
      const published = JSON.parse(await readFile(join(dir, 'keys', `${role}.json`), 'utf8')) as Record<string, unknown> & { keyid: string; keyval: { public: string } };
      const { keyid, ...key } = published;
      expect(key).toEqual({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown } });
      expect(keyid).toBe(createHash('sha256').update(canonicalize(key)).digest('hex'));
      keyids.add(keyid);

      const pem = await readFile(join(dir, '.osmose/keys', `${role}.pem`), 'utf8');
      const privateKey = createPrivateKey(role === 'root' ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
      const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      expect(spki.subarray(-32).toString('hex')).toBe(published.keyval.public);
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(published.keyval.public, 'hex').toString('base64url') }, format: 'jwk' });
      const message = Buffer.from(`a ${role} signature`);
      expect(verify(null, message, publicKey, sign(null, message, privateKey))).toBe(true);
    }
    expect(keyids.size).toBe(4);
  });

  it('refuses a folder that is not empty and changes nothing in it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await mkdir(join(dir, 'apps'));
    await writeFile(join(dir, 'apps', 'building.yaml'), 'not a building\n', { mode: 0o640 });
    const before = await snapshot(dir);

    const result = await osmose(['init', dir], { cwd: tmpdir() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is not empty');
    expect(result.stderr).toContain('--force');
    expect(await snapshot(dir)).toEqual(before);

    const json = await osmose(['init', dir, '--json'], { cwd: tmpdir() });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'init.not-empty' } });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a DIR that is a file, or lies under one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    for (const target of ['file', 'file/below']) {
      const result = await osmose(['init', target, '--json'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'init.not-a-directory' } });
    }
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('creates a DIR that does not exist, parents included, relative to -C', async () => {
    const cwd = await tempDir();
    expect((await osmose(['-C', cwd, 'init', 'a/b/c', '--template', 'empty'], { cwd: tmpdir() })).code).toBe(0);
    expect(existsSync(join(cwd, 'a/b/c/building.yaml'))).toBe(true);
  });

  it('refuses with no passphrase and no terminal, before writing anything', async () => {
    const cwd = await tempDir();
    const result = await osmose(['init', 'b'], { cwd, env: {}, interactive: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('OSMOSE_ROOT_PASSPHRASE');
    expect(await readdir(cwd)).toEqual([]);

    const json = await osmose(['init', 'b', '--json'], { cwd, env: {} });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'init.no-passphrase', hint: expect.stringContaining('OSMOSE_ROOT_PASSPHRASE') as unknown } });

    const empty = await osmose(['init', 'b', '--json'], { cwd, env: { OSMOSE_ROOT_PASSPHRASE: '' } });
    expect(JSON.parse(empty.stdout)).toMatchObject({ ok: false, error: { code: 'init.empty-passphrase' } });
    expect(await readdir(cwd)).toEqual([]);
  });

  it('with --force writes the template beside other files, and keeps and reuses existing keys', async () => {
    const dir = join(await tempDir(), 'b');
    expect((await osmose(['init', dir], { cwd: tmpdir() })).code).toBe(0);
    const keysBefore = await snapshot(join(dir, '.osmose'));
    const publicBefore = await snapshot(join(dir, 'keys'));
    await writeFile(join(dir, 'notes.txt'), 'mine\n');

    const refused = await osmose(['init', dir, '--template', 'empty'], { cwd: tmpdir() });
    expect(refused.code).toBe(1);

    const result = await osmose(['init', dir, '--template', 'empty', '--force', '--name', 'Renamed', '--json'], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { keys: Record<string, { reused: boolean }>; building: { id: string; name: string } };
    expect(Object.values(report.keys).map((key) => key.reused)).toEqual([true, true, true, true]);
    expect(report.building).toEqual({ id: 'b', name: 'Renamed' });

    expect(await snapshot(join(dir, '.osmose'))).toEqual(keysBefore);
    expect(await snapshot(join(dir, 'keys'))).toEqual(publicBefore);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(parse(await readFile(join(dir, 'building.yaml'), 'utf8'))).toMatchObject({ spaces: [], building: { name: 'Renamed' } });
    expect((await validateBuilding(dir)).ok).toBe(true);

    await git(dir, 'fsck', '--strict');
    expect((await git(dir, 'log', '--format=%s')).trim().split('\n')).toEqual([
      'Initialise building b from the empty template',
      'Initialise building b from the coworking template',
    ]);
    expect(await git(dir, 'status', '--porcelain')).toBe('?? notes.txt\n');
  });

  it('with --force refuses a wrong root passphrase for the existing key, changing nothing', async () => {
    const dir = join(await tempDir(), 'b');
    expect((await osmose(['init', dir], { cwd: tmpdir() })).code).toBe(0);
    const before = await snapshot(dir);
    const result = await osmose(['init', dir, '--force', '--json'], { cwd: tmpdir(), env: { OSMOSE_ROOT_PASSPHRASE: 'wrong' } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'init.wrong-passphrase' } });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('takes the commit author from GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL', async () => {
    const dir = join(await tempDir(), 'b');
    const env = { OSMOSE_ROOT_PASSPHRASE: passphrase, GIT_AUTHOR_NAME: 'Ada Operator', GIT_AUTHOR_EMAIL: 'ada@example.org' };
    expect((await osmose(['init', dir, '--template', 'empty'], { cwd: tmpdir(), env })).code).toBe(0);
    expect((await git(dir, 'log', '--format=%an <%ae>')).trim()).toBe('Ada Operator <ada@example.org>');
  });

  it('derives the id from the folder name, and from --name when the folder gives none', async () => {
    const cwd = await tempDir();
    expect((await osmose(['init', 'Café Étage_2', '--template', 'empty', '--name', 'Le Café'], { cwd })).code).toBe(0);
    expect(parse(await readFile(join(cwd, 'Café Étage_2', 'building.yaml'), 'utf8'))).toMatchObject({ building: { id: 'cafe-etage-2', name: 'Le Café' } });
    expect((await osmose(['init', '___', '--template', 'empty', '--name', 'William Gates Building'], { cwd })).code).toBe(0);
    expect(parse(await readFile(join(cwd, '___', 'building.yaml'), 'utf8'))).toMatchObject({ building: { id: 'william-gates-building' } });
  });

  it('makes a 10 × 25 × 4 grid of exactly 1,000 sim boards that validates', async () => {
    const dir = join(await tempDir(), 'grid');
    const result = await osmose(['init', dir, '--template', 'grid', '--floors', '10', '--rooms', '25', '--boards-per-room', '4', '--json'], { cwd: tmpdir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, template: 'grid', boards: 1000, spaces: 260, apps: 1 });

    const validation = await validateBuilding(dir);
    expect(validation.ok).toBe(true);
    if (!validation.ok) return;
    expect(validation.building.index.boards).toHaveLength(1000);
    expect(new Set(validation.building.index.boards.map((board) => board.type))).toEqual(new Set(['sim']));
    expect(validation.building.spec.apps).toEqual([{ name: 'lights', source: 'apps/lights', place: { has: ['button', 'lamp'] }, needs: ['button', 'lamp'] }]);
    expect(existsSync(join(dir, 'apps/lights/assembly/index.ts'))).toBe(true);
    await git(dir, 'fsck', '--strict');
  });

  it.each([
    [['--template', 'grid', '--floors', '0']],
    [['--template', 'grid', '--rooms', '-3']],
    [['--template', 'grid', '--boards-per-room', '2.5']],
    [['--template', 'grid', '--floors', 'many']],
    [['--template', 'grid', '--floors', '1000', '--rooms', '1000']],
    [['--floors', '2']],
    [['--template', 'empty', '--rooms', '2', '--boards-per-room', '3']],
    [['--template', 'nope']],
    [['--name', '']],
  ])('refuses bad options %j as a usage error, writing nothing', async (options) => {
    const cwd = await tempDir();
    const result = await osmose(['init', 'b', ...options], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: /);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('lists init first in osmose --help', async () => {
    const result = await osmose(['--help'], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Commands:\n\s+init /);
  });
});

describe('the osmose binary (dist/cli/main.js)', () => {
  async function binary(args: readonly string[], cwd: string, env: Record<string, string>): Promise<Run> {
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'OSMOSE_ROOT_PASSPHRASE'));
    try {
      const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd, env: { ...base, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('inits a coworking building that validates: osmose init DIR && osmose -C DIR validate', async () => {
    const cwd = await tempDir();
    const init = await binary(['init', 'b', '--template', 'coworking'], cwd, { OSMOSE_ROOT_PASSPHRASE: passphrase });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const validate = await binary(['-C', join(cwd, 'b'), 'validate'], cwd, {});
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('valid');
  });

  it('exits 1 without a stack trace when input is refused, and 2 on a usage error', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'occupied'), 'x');
    const notEmpty = await binary(['init', '.'], cwd, { OSMOSE_ROOT_PASSPHRASE: passphrase });
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toMatch(/^osmose: .* is not empty/);
    expect(notEmpty.stderr).not.toMatch(/\n\s+at /);
    expect(notEmpty.stderr).not.toContain('internal error');

    // No OSMOSE_ROOT_PASSPHRASE and stdin is a pipe, not a terminal: nobody to ask.
    const noPassphrase = await binary(['init', 'b'], cwd, {});
    expect(noPassphrase.code).toBe(1);
    expect(noPassphrase.stderr).toContain('OSMOSE_ROOT_PASSPHRASE');
    expect(noPassphrase.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(cwd)).toEqual(['occupied']);

    const usage = await binary(['init', 'b', '--floors', '3'], cwd, { OSMOSE_ROOT_PASSPHRASE: passphrase });
    expect(usage.code).toBe(2);
    expect(await readdir(cwd)).toEqual(['occupied']);
  });
});
