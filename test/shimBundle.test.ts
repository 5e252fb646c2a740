import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { bundleShim, type ShimBundle } from '../image/bundleShim.js';

const run = promisify(execFile);

// The bundle lies in a folder of its own, with no node_modules above it: it boots only if it
// needs nothing but Node.js on a sim board (the native addons load on real boards only).
let parent: string;
let root: string;
let bundle: ShimBundle;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-shim-'));
  root = join(parent, 'cw');
  const io = { cwd: parent, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text), env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false };
  expect(await runCli(['init', root, '--template', 'coworking'], io)).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
  bundle = await bundleShim(join(parent, 'bundle.mjs'));
}, 120_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('the shim bundle', () => {
  it('is one ES module that imports nothing but Node.js itself', async () => {
    const text = await readFile(bundle.file, 'utf8');
    // Static imports open a statement of the minified file; a dynamic one of an outside package would stay import("…").
    const imported = [...text.matchAll(/(?:^|;)import\s*[\w${*][^;"']*from\s*"([^"]+)"|\bimport\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !name?.startsWith('node:'))).toEqual([]);
    expect(bundle).toMatchObject({ bytes: Buffer.byteLength(text) });
    expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
  });

  it('boots a board whose app is in plain TypeScript: the engine travels in its image and runs in the bundled shim', async () => {
    const dir = join(parent, 'meeting-1-wall');
    await writeBoardDirectory(root, 'meeting-1-wall', dir);
    const { stdout } = await run(process.execPath, [bundle.file, dir, '--once', '--json'], { cwd: parent });
    expect(JSON.parse(stdout)).toMatchObject({ board: 'meeting-1-wall', unikernel: { running: true, stops: [], traps: 0 } });
  });

  it('boots a real coworking board directory: node bundle.mjs BOARD_DIR --once --json reports the unikernel running', async () => {
    const dir = join(parent, 'meeting-1-door');
    await writeBoardDirectory(root, 'meeting-1-door', dir);
    const { stdout } = await run(process.execPath, [bundle.file, dir, '--once', '--json'], { cwd: parent });
    expect(JSON.parse(stdout)).toMatchObject({ board: 'meeting-1-door', type: 'sim', slot: 'a', row: 'confirmed', unikernel: { running: true, stops: [] } });
  });

  it('refuses a board with no valid slot with status 1 and the error as JSON, as osmose boot does', async () => {
    const dir = join(parent, 'meeting-2-door');
    await writeBoardDirectory(root, 'meeting-2-door', dir);
    await rm(join(dir, 'a'), { recursive: true });
    const failure = await run(process.execPath, [bundle.file, dir, '--once', '--json'], { cwd: parent }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(failure?.code).toBe(1);
    expect(JSON.parse(failure?.stdout ?? '')).toMatchObject({ ok: false, error: { code: 'boot.panic' } });
  });

  it('is written to a .mjs file only', async () => {
    await expect(bundleShim(join(parent, 'bundle.js'))).rejects.toMatchObject({ code: 'image.bundle-name' });
  });
});
