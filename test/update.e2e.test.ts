import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { readBoardState } from '../kernel-js/boot/boardStateFile.js';
import { bootBoard } from '../kernel-js/boot/bootBoard.js';
import { installUpdate } from '../kernel-js/update/installUpdate.js';
import { nextUpdateState, updateTable } from '../kernel-js/update/updateTable.js';

// The board's side of an update, on real builds: a board flashed with build 1 installs
// meeting-1-door's image of build 2 into its inactive slot, boots it on trial and confirms it.
let parent: string;
let root: string;
let board: string;
let update: Map<string, Uint8Array>;

async function slotFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
  return files;
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-update-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  board = join(parent, 'meeting-1-door');
  await writeBoardDirectory(root, 'meeting-1-door', board);
  const first = await bootBoard(board);
  await first.settled;
  await first.close();
  // Build 2: the lights app changed, so meeting-1-door's image changed.
  const app = join(root, 'apps', 'lights', 'assembly', 'index.ts');
  await writeFile(app, (await readFile(app, 'utf8')).replace('let lit = false;', 'let lit = false;\nlet presses: i32 = 0;').replace('if (status == Status.Ok) lit = !lit;', 'if (status == Status.Ok) { lit = !lit; presses++; }'));
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
  const second = join(parent, 'build-2');
  await writeBoardDirectory(root, 'meeting-1-door', second);
  update = await slotFiles(join(second, 'a'));
}, 240_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

describe("the board's update agent", () => {
  it('is a table that allows no skipped step', () => {
    expect(updateTable.map((row) => `${row.from} -${row.on}-> ${row.to}`)).toContain('staged -verified-> verified');
    expect([nextUpdateState('idle', 'switched'), nextUpdateState('staged', 'switched'), nextUpdateState('refused', 'verified')]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a tampered update before it touches the board', async () => {
    const before = readBoardState(board);
    const tampered = new Map(update);
    const module = [...tampered.keys()].find((name) => name.endsWith('.wasm')) ?? '';
    const bytes = Uint8Array.from(tampered.get(module) ?? []);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    tampered.set(module, bytes);
    await expect(installUpdate(board, tampered)).rejects.toMatchObject({ code: 'update.refused', data: { states: ['idle', 'staged', 'refused'] } });
    expect(readBoardState(board)).toEqual(before);
    expect(await readdir(board)).not.toContain('b.staging');
    await expect(installUpdate(board, new Map([['../escape', new Uint8Array(1)]]))).rejects.toMatchObject({ code: 'update.bad-file-name' });
  });

  it('installs into the inactive slot, boots it on trial and confirms it, raising the version floor', async () => {
    const floor = readBoardState(board).versionFloor;
    const installed = await installUpdate(board, update);
    expect(installed).toMatchObject({ slot: 'b', states: ['idle', 'staged', 'verified', 'switched'] });
    expect(installed.version).toBeGreaterThan(floor);
    expect(readBoardState(board)).toMatchObject({ active: 'b', confirmed: false, bootCount: 0 });
    // Another update now would overwrite the fallback: refused until the trial ends.
    await expect(installUpdate(board, update)).rejects.toMatchObject({ code: 'update.on-trial' });

    const booted = await bootBoard(board);
    await booted.settled;
    const health = await booted.health();
    await booted.close();
    expect(health).toMatchObject({ slot: 'b', row: 'trial', image: installed.image, unikernel: { running: true } });
    expect(readBoardState(board)).toMatchObject({ active: 'b', confirmed: true, versionFloor: installed.version });
  });

  it('never goes back: build 1 offered again is refused, its metadata older than what the board accepted', async () => {
    // Build 1's slot is what slot a still holds: signed, intact, and older than the floor.
    const old = await slotFiles(join(board, 'a'));
    await expect(installUpdate(board, old)).rejects.toMatchObject({ code: 'update.refused', data: { code: 'slot.metadata-rollback' } });
    expect(readBoardState(board)).toMatchObject({ active: 'b', confirmed: true });
  });
});
