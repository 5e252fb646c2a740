import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { checkImageFreshness } from '../image/flash/checkImageFreshness.js';

// `osmose image` as an installer runs it, and `osmose boot IMAGE` as a board would start.
let parent: string;
let root: string;

async function osmose(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-C', root, ...args], { cwd: parent, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, interactive: false });
  return { code, stdout, stderr };
}

interface ImageReport {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly board: string;
  readonly identity: { readonly keyid: string; readonly made: boolean };
  readonly partitions: readonly { readonly name: string; readonly offset: number; readonly bytes: number }[];
}

async function image(board: string, out: string): Promise<ImageReport> {
  const result = await osmose('image', board, '--out', out, '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ImageReport;
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-image-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
}, 180_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('osmose image', () => {
  it('writes a GPT disk image with the five named partitions, the same bytes every time', async () => {
    const first = await image('meeting-1-door', join(parent, 'door.img'));
    const again = await image('meeting-1-door', join(parent, 'door-again.img'));
    expect(first.identity.made).toBe(true);
    expect(again.identity).toEqual({ keyid: first.identity.keyid, made: false });
    expect(again.sha256).toBe(first.sha256);
    // Byte for byte (compared by Buffer.equals: a deep equality over 54 MiB would take minutes).
    expect((await readFile(join(parent, 'door-again.img'))).equals(await readFile(join(parent, 'door.img')))).toBe(true);
    const table = JSON.parse(execFileSync('sfdisk', ['--json', first.file], { encoding: 'utf8' })) as { partitiontable: { label: string; partitions: { name: string; type: string }[] } };
    expect(table.partitiontable.label).toBe('gpt');
    expect(table.partitiontable.partitions.map((p) => p.name)).toEqual(['osmose-boot', 'osmose-a', 'osmose-b', 'osmose-state', 'osmose-data']);
    // Another board's image is another image.
    expect((await image('meeting-2-door', join(parent, 'door-2.img'))).sha256).not.toBe(first.sha256);
  }, 120_000);

  it("keeps the board's identity key private and records its public half in the ledger, read back by system git", async () => {
    const report = await image('entrance-door', join(parent, 'entrance.img'));
    const key = join(root, '.osmose', 'keys', 'boards', 'entrance-door.pem');
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    const recorded = JSON.parse(execFileSync('git', ['-C', root, 'show', 'refs/osmose/identities:boards/entrance-door.json'], { encoding: 'utf8' })) as { board: string; keyid: string; keyval: { public: string } };
    expect(recorded).toMatchObject({ board: 'entrance-door', keyid: report.identity.keyid });
    expect(execFileSync('git', ['-C', root, 'ls-files'], { encoding: 'utf8' })).not.toMatch(/\.pem/);
    execFileSync('git', ['-C', root, 'fsck', '--strict'], { stdio: 'pipe' });
  }, 120_000);

  it('boots under osmose boot IMAGE, with the identity key unpacked 0600, and under the bundled shim it carries', async () => {
    const file = join(parent, 'wall.img');
    await image('meeting-1-door', file);
    const boot = await osmose('boot', file, '--once', '--json');
    expect(boot.code).toBe(0);
    expect(JSON.parse(boot.stdout)).toMatchObject({ board: 'meeting-1-door', slot: 'a', row: 'confirmed', unikernel: { running: true, stops: [] } });
    const work = `${file}.board`;
    expect((await stat(join(work, 'identity.pem'))).mode & 0o777).toBe(0o600);

    // The boot partition's own shim, copied out without mounting, boots the same board.
    const report = JSON.parse(execFileSync('sfdisk', ['--json', file], { encoding: 'utf8' })) as { partitiontable: { partitions: { name: string; start: number }[] } };
    const bootStart = report.partitiontable.partitions.find((p) => p.name === 'osmose-boot')?.start ?? 0;
    execFileSync('mcopy', ['-n', '-i', `${file}@@${bootStart * 512}`, '::/boot.mjs', join(parent, 'boot.mjs')]);
    const shim = spawnSync(process.execPath, [join(parent, 'boot.mjs'), work, '--once', '--json'], { encoding: 'utf8', cwd: parent });
    expect(shim.status).toBe(0);
    expect(JSON.parse(shim.stdout)).toMatchObject({ board: 'meeting-1-door', unikernel: { running: true } });
  }, 120_000);

  it('refuses a tampered module in the image: slot a does not verify and, slot b being empty, the board panics', async () => {
    const file = join(parent, 'tampered.img');
    await image('meeting-2-door', file);
    const manifest = JSON.parse(execFileSync('git', ['-C', root, 'show', 'refs/osmose/builds:manifests/meeting-2-door.json'], { encoding: 'utf8' })) as { signed: { modules: { wasm: string }[] } };
    const wasm = execFileSync('git', ['-C', root, 'show', `refs/osmose/builds:artifacts/${manifest.signed.modules[0]?.wasm}.wasm`]);
    const bytes = await readFile(file);
    const at = bytes.indexOf(wasm);
    expect(at).toBeGreaterThan(0);
    bytes[at + wasm.length - 1] = (bytes[at + wasm.length - 1] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    const boot = await osmose('boot', file, '--once', '--json');
    expect(boot.code).toBe(1);
    expect(JSON.parse(boot.stdout)).toMatchObject({ ok: false, error: { code: 'boot.panic', data: { refused: { a: { code: 'slot.module-digest' }, b: { code: 'slot.empty' } } } } });
  }, 120_000);

  it('refuses what it cannot make or boot, naming the fix', async () => {
    const unknown = await osmose('image', 'no-such-board', '--out', join(parent, 'x.img'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/the latest build has no board no-such-board/);
    const noise = join(parent, 'noise.img');
    await writeFile(noise, Buffer.alloc(1 << 20, 7));
    const boot = await osmose('boot', noise, '--once');
    expect(boot.code).toBe(1);
    expect(boot.stderr).toMatch(/has no partition table|has no partition named osmose-boot/);
  }, 120_000);

  it("refuses to flash an image whose update metadata has expired, unless told to", async () => {
    const file = join(parent, 'fresh.img');
    await image('open-space-door', file);
    const expires = await checkImageFreshness(file);
    expect(expires?.getTime()).toBeGreaterThan(Date.now());
    await expect(checkImageFreshness(file, new Date((expires?.getTime() ?? 0) + 1000))).rejects.toMatchObject({ code: 'flash.image-expired' });
    const flashed = await osmose('flash', file, '--to', join(parent, 'fresh-card.img'), '--json');
    expect(flashed.code).toBe(0);
    expect(JSON.parse(flashed.stdout)).toMatchObject({ ok: true, board: 'open-space-door' });
    expect((await osmose('boot', join(parent, 'fresh-card.img'), '--once', '--json')).code).toBe(0);
  }, 120_000);
});
