import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardManifest } from '../builder/build/BoardImage.js';
import { buildBuilding, type BuildReport } from '../builder/build/buildBuilding.js';
import { verifyManifest, type SignedManifest } from '../builder/build/signManifest.js';
import { ledgerRef } from '../builder/ledger/ledgerRef.js';
import { runCli } from '../cli/runCli.js';
import { InputError } from '../lib/OsmoseError.js';

// One coworking building, built and then changed step by step: each test builds on the one
// before, as an operator's day would.
let parent: string;
let root: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-build-'));
  root = join(parent, 'cw');
  const code = await runCli(['init', root, '--template', 'coworking'], {
    cwd: parent,
    stdout: () => undefined,
    stderr: (text) => process.stderr.write(text),
    env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' },
    interactive: false,
  });
  expect(code).toBe(0);
});
afterAll(() => rm(parent, { recursive: true, force: true }));

const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const ledgerHead = (): string => git('rev-parse', ledgerRef).trim();
const envelope = (board: string, at: string = ledgerRef): SignedManifest => JSON.parse(git('show', `${at}:manifests/${board}.json`)) as SignedManifest;
const manifest = (board: string): BoardManifest => envelope(board).signed;
const changed = (report: BuildReport): string[] => report.boards.filter((b) => b.changed).map((b) => b.board);
const lightsBoards = ['entrance-door', 'corridor-lights', 'meeting-1-door', 'meeting-2-door', 'open-space-door', 'open-space-windows'];

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const file = join(root, path);
  const before = await readFile(file, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(file, after);
}

async function refused(): Promise<InputError> {
  const error = await buildBuilding({ root }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('osmose build on the coworking building', () => {
  let first: BuildReport;

  it('builds every board, compiling each app once, and records one ledger commit', async () => {
    first = await buildBuilding({ root, timestamp: 1_800_000_000 });
    expect(first.upToDate).toBe(false);
    // booth-lights is the lights app placed otherwise: one compile serves both. The eighth module
    // is the script engine that runs the two apps in plain TypeScript (wallpaper, wayfinding).
    expect(first.counts).toMatchObject({ boards: 21, changed: 21, modules: 8, compiles: 6, cacheHits: 1 });
    expect(first.ledger.created).toBe(true);
    expect(ledgerHead()).toBe(first.ledger.commit);
    git('fsck', '--strict');

    const files = git('ls-tree', '-r', '--name-only', ledgerRef).trim().split('\n');
    // Six boards run lights, yet the ledger holds one lights module: one wasm per app, and one script engine for the six boards of the two TypeScript apps.
    expect(files.filter((f) => f.startsWith('artifacts/'))).toHaveLength(7);
    expect(files.filter((f) => f.startsWith('manifests/'))).toHaveLength(21);
    const lights = lightsBoards.map((board) => manifest(board).modules.find((m) => m.app === 'lights')?.wasm);
    expect(new Set(lights).size).toBe(1);
    expect(files).toContain(`artifacts/${lights[0]}.wasm`);

    // Every manifest is signed by the building's targets key, whose public half is committed.
    const targets = JSON.parse(await readFile(join(root, 'keys/targets.json'), 'utf8')) as { keyid: string; keyval: { public: string } };
    for (const board of lightsBoards) expect(verifyManifest(envelope(board), targets.keyval.public)).toBe(true);
    const forged = { ...envelope('meeting-1-door'), signed: { ...manifest('meeting-1-door'), image: '0'.repeat(64) } };
    expect(verifyManifest(forged, targets.keyval.public)).toBe(false);

    const door = manifest('meeting-1-door');
    expect(door.source.commit).toBe(git('rev-parse', 'HEAD').trim());
    expect(door.source.uncommitted).toEqual([]);
    expect(door.toolchain.assemblyscript).toBe('0.28.20');
    // The wasm in the ledger is the module the manifest names.
    const wasm = execFileSync('git', ['-C', root, 'show', `${ledgerRef}:artifacts/${lights[0]}.wasm`]);
    expect(execFileSync('sha256sum', { input: wasm, encoding: 'utf8' }).split(' ')[0]).toBe(lights[0]);
  });

  it('compiles nothing and writes nothing when nothing changed', async () => {
    const again = await buildBuilding({ root });
    expect(again.upToDate).toBe(true);
    expect(again.counts.compiles).toBe(0);
    expect(again.ledger).toEqual({ commit: first.ledger.commit, created: false });
    expect(changed(again)).toEqual([]);
  });

  it('recompiles only the app whose source changed, and re-images only the boards running it', async () => {
    await edit('apps/heating/assembly/index.ts', (text) => text.replace('clock.every(60_000)', 'clock.every(30_000)'));
    const report = await buildBuilding({ root });
    expect(report.counts).toMatchObject({ compiles: 1, cacheHits: 6 });
    expect(changed(report)).toEqual(['meeting-1-heating', 'meeting-2-heating', 'open-space-heating']);
    const heating = manifest('meeting-1-heating');
    expect(heating.source.uncommitted).toEqual(['apps/heating/assembly/index.ts']);
    // An unchanged board keeps its manifest: it still runs what the first build made.
    expect(envelope('meeting-1-door')).toEqual(envelope('meeting-1-door', first.ledger.commit));
    git('fsck', '--strict');
  });

  it('re-specialises only the board whose topology changed, compiling nothing', async () => {
    await edit('building.yaml', (text) => text.replace(/(id: open-space-windows[\s\S]*?lamp: \{driver: gpio-out, pin: )GPIO27/, '$1GPIO5'));
    const report = await buildBuilding({ root });
    expect(report.counts.compiles).toBe(0);
    expect(changed(report)).toEqual(['open-space-windows']);
    expect(JSON.parse(git('show', `${ledgerRef}:configs/open-space-windows.json`))).toMatchObject({
      devices: { lamp: { driver: 'gpio-out', settings: { pin: 'GPIO5' } } },
    });
  });

  it('refuses an import that policy does not grant, naming app, import, board and rule; the ledger stays', async () => {
    const head = ledgerHead();
    await edit('policies.yaml', (text) => text.replace('allow: [display, presence]', 'allow: [display]'));
    const error = await refused();
    const issues = error.data['issues'] as { code: string; message: string; hint: string }[];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.code).toBe('capability.denied');
      expect(issue.message).toMatch(/^wallpaper imports presence\.\w+, which needs presence, not granted to wallpaper on board [a-z0-9-]+$/);
      expect(issue.hint).toMatch(/add presence to rules\[2\]\.allow in policies\.yaml/);
    }
    expect(ledgerHead()).toBe(head);
    await edit('policies.yaml', (text) => text.replace('allow: [display]', 'allow: [display, presence]'));
  });

  it('reports a compile error at its file, line and column; the ledger stays', async () => {
    const head = ledgerHead();
    await edit('apps/lights/assembly/index.ts', (text) => text.replace('let lit = false;', 'let lit = false;\nlet broken: i32 = "text";'));
    const error = await refused();
    const issues = error.data['issues'] as { code: string; file: string; line: number; column: number }[];
    expect(issues.map((i) => [i.code, i.file])).toContainEqual(['compile.error', 'apps/lights/assembly/index.ts']);
    const lines = (await readFile(join(root, 'apps/lights/assembly/index.ts'), 'utf8')).split('\n');
    const issue = issues.find((i) => i.code === 'compile.error');
    expect(lines[(issue?.line ?? 0) - 1]).toContain('let broken');
    expect(ledgerHead()).toBe(head);
    await edit('apps/lights/assembly/index.ts', (text) => text.replace('\nlet broken: i32 = "text";', ''));
  });

  it('reports a type error of a TypeScript app at its file, line and column; the ledger stays', async () => {
    const head = ledgerHead();
    await edit('apps/wallpaper/src/index.ts', (text) => text.replace("let shown: Shown = 'nothing';", "let shown: Shown = 'nothing';\nconst broken: number = screen;"));
    const error = await refused();
    const issues = error.data['issues'] as { code: string; file: string; line: number; column: number; message: string }[];
    expect(issues.map((i) => [i.code, i.file])).toEqual([['compile.type', 'apps/wallpaper/src/index.ts']]);
    const lines = (await readFile(join(root, 'apps/wallpaper/src/index.ts'), 'utf8')).split('\n');
    expect(lines[(issues[0]?.line ?? 0) - 1]).toContain('const broken');
    expect(issues[0]?.message).toMatch(/^TS2322: Type 'Screen' is not assignable to type 'number'/);
    expect(ledgerHead()).toBe(head);
    await edit('apps/wallpaper/src/index.ts', (text) => text.replace('\nconst broken: number = screen;', ''));
  });

  it('validates again when an app folder disappears, though building.yaml did not change', async () => {
    const head = ledgerHead();
    await rename(join(root, 'apps/wayfinding'), join(root, 'apps/wayfinding-moved'));
    const error = await refused();
    expect((error.data['issues'] as { code: string }[]).map((i) => i.code)).toEqual(['app.source-missing']);
    expect(ledgerHead()).toBe(head);
    await rename(join(root, 'apps/wayfinding-moved'), join(root, 'apps/wayfinding'));
    // Put back, the sources are the last build's again: there is nothing to do.
    const back = await buildBuilding({ root });
    expect(back.upToDate).toBe(true);
    expect(back.ledger.commit).toBe(head);
  });

  it('shows progress on a terminal, and reports per board as JSON', async () => {
    await edit('apps/wayfinding/src/index.ts', (text) => `${text}\n// a comment is a source change: compiled again, same module\n`);
    let stderr = '';
    let stdout = '';
    const terminal = { cwd: root, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {}, interactive: true };
    expect(await runCli(['build'], terminal)).toBe(0);
    expect(stderr).toMatch(/compiling +\[/);
    expect(stderr).toMatch(/boards +\[/);
    expect(stdout).toMatch(/^built 21 boards in [\d.]+ s: 0 changed; 8 modules, 1 compiled, 6 from the cache$/m);

    await edit('apps/wayfinding/src/index.ts', (text) => `${text}// and another\n`);
    stdout = '';
    expect(await runCli(['build', '--json'], { ...terminal, interactive: false })).toBe(0);
    const report = JSON.parse(stdout) as BuildReport & { ok: boolean };
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ boards: 21, changed: 0, compiles: 1 });
    expect(report.boards).toHaveLength(21);
    expect(report.boards.every((board) => !board.changed && /^[0-9a-f]{64}$/.test(board.image))).toBe(true);
    expect(typeof report.ms).toBe('number');
  });

  it('rebuilds only the TypeScript app that changed; the engine is one module of the ledger, in the images of their boards only', async () => {
    const walls = ['meeting-1-wall', 'meeting-2-wall', 'open-space-wall'];
    const guides = ['entrance-guide', 'corridor-guide-1', 'corridor-guide-2'];
    await edit('apps/wallpaper/src/index.ts', (text) => text.replaceAll("'free'", "'available'"));
    const report = await buildBuilding({ root });
    expect(report.counts).toMatchObject({ compiles: 1, changed: walls.length });
    expect(changed(report).sort()).toEqual(walls);
    const engine = manifest('meeting-1-wall').modules.find((module) => module.app === 'osmose:engine');
    expect(engine?.bytes).toBeGreaterThan(400_000);
    for (const board of [...walls, ...guides]) expect(manifest(board).modules.find((module) => module.app === 'osmose:engine')?.wasm, board).toBe(engine?.wasm);
    for (const board of lightsBoards) expect(manifest(board).modules.map((module) => module.app), board).toEqual(['lights']);
    const artifacts = git('ls-tree', '--name-only', `${ledgerRef}:artifacts`).split('\n').filter((name) => name !== '');
    expect(artifacts.filter((name) => name === `${engine?.wasm}.wasm`)).toHaveLength(1);
    // The script is in its module: the new text is there, and the module imports what the app calls.
    const wallpaper = manifest('meeting-1-wall').modules.find((module) => module.app === 'wallpaper');
    const bytes = execFileSync('git', ['-C', root, 'cat-file', 'blob', `${ledgerRef}:artifacts/${wallpaper?.wasm}.wasm`]);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((entry) => `${entry.module}.${entry.name}`)).toContain('presence.count');
    expect(bytes.toString('utf8')).toContain('available');
    await edit('apps/wallpaper/src/index.ts', (text) => text.replaceAll("'available'", "'free'"));
    expect((await buildBuilding({ root })).counts).toMatchObject({ compiles: 0, changed: walls.length });
  });

  it('answers from the ledger what a board runs and since when', async () => {
    let out = '';
    const io = { cwd: root, stdout: (t: string) => void (out += t), stderr: () => undefined, env: {}, interactive: false };
    expect(await runCli(['ledger', 'show', 'meeting-1-door', '--json'], io)).toBe(0);
    const shown = JSON.parse(out) as { since: { commit: string }; manifest: BoardManifest; config: { fragments: { app: string }[] } };
    expect(shown.since.commit).toBe(first.ledger.commit);
    expect(shown.config.fragments.map((f) => f.app)).toEqual(['lights']);
    out = '';
    expect(await runCli(['ledger', 'log', '--json'], io)).toBe(0);
    const log = JSON.parse(out) as { commit: string }[];
    // Every build that did something is one commit; `git log` of the ref agrees.
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.map((entry) => entry.commit)).toEqual(git('log', '--format=%H', ledgerRef).trim().split('\n'));
    expect(await runCli(['ledger', 'show', 'meeting-1-dor'], { ...io, stderr: (t: string) => void (out += t) })).toBe(1);
    expect(out).toMatch(/did you mean "meeting-1-door"/);
  });
});
