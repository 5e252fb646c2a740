import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardConfig } from '../builder/build/BoardImage.js';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import type { SignedManifest } from '../builder/build/signManifest.js';
import { runCli } from '../cli/runCli.js';
import { bootBoard } from '../kernel-js/boot/bootBoard.js';
import { chooseSlot } from '../kernel-js/boot/chooseSlot.js';
import type { KernelBoardConfig, KernelSignedManifest } from '../kernel-js/boot/KernelImage.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';

// kernel-js reads what the builder writes without importing it: its types must accept the
// builder's (checked by tsc here) and its reader must accept a real build (checked below).
function kernelReads(config: BoardConfig, manifest: SignedManifest): [KernelBoardConfig, KernelSignedManifest] {
  return [config, manifest];
}

let parent: string;
let root: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-boot-'));
  root = join(parent, 'cw');
  const io = { cwd: parent, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text), env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false };
  expect(await runCli(['init', root, '--template', 'coworking'], io)).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
}, 120_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

async function boardDir(board: string): Promise<string> {
  const dir = join(await mkdtemp(join(parent, `${board}-`)), 'board');
  await writeBoardDirectory(root, board, dir);
  return dir;
}

describe('kernel-js boots what osmose build made', () => {
  it("parses a real build's configuration and signed manifest, and verifies the slot", async () => {
    const show = (path: string): string => execFileSync('git', ['-C', root, 'show', `refs/osmose/builds:${path}`], { encoding: 'utf8' });
    const [config, manifest] = kernelReads(JSON.parse(show('configs/meeting-1-door.json')) as BoardConfig, JSON.parse(show('manifests/meeting-1-door.json')) as SignedManifest);
    const choice = await chooseSlot(await boardDir('meeting-1-door'));
    expect(choice.row.name).toBe('confirmed');
    expect(choice.slot?.config).toEqual(config);
    // What config's building.* and space.* keys answer on the board.
    expect(config.building).toEqual({ id: 'cw', name: 'cw', timezone: 'Europe/London' });
    expect(config.board).toMatchObject({ space: ['ground', 'meeting-1'], place: { kind: 'room', name: 'Meeting room 1' } });
    expect(choice.slot?.manifest).toEqual(manifest);
    expect([...(choice.slot?.modules.keys() ?? [])]).toEqual(manifest.signed.modules.map((m) => m.app));
  });

  it("boots meeting-1-door: its button toggles its lamp, through the watchdog", async () => {
    const outputs: [string, number][] = [];
    let wake: () => void = () => undefined;
    const board = await bootBoard(await boardDir('meeting-1-door'), {
      onOutput: (device, level) => {
        outputs.push([device, level]);
        wake();
      },
    });
    try {
      await board.settled;
      const lit = new Promise<void>((resolve) => {
        wake = resolve;
      });
      board.watchdog.input('button', 1);
      await lit;
      expect(outputs).toEqual([['lamp', 1]]);
      const health = await board.health();
      expect(health).toMatchObject({ board: 'meeting-1-door', type: 'sim', slot: 'a', row: 'confirmed', unikernel: { running: true, stops: [] } });
    } finally {
      await board.close();
    }
  }, 60_000);

  it("boots meeting-1-door on sim drivers: a press on the sim bus's button line lights its lamp line", async () => {
    const board = await bootBoard(await boardDir('meeting-1-door'));
    try {
      await board.settled;
      const gpio = board.sim?.gpio;
      if (gpio === undefined) throw new Error('a sim board boots with sim buses');
      // The builder's settings reached the drivers: the button's pull-up holds its line high, the lamp starts off.
      expect([gpio.isOpen('GPIO17'), gpio.level('GPIO17'), gpio.isOpen('GPIO27'), gpio.level('GPIO27')]).toEqual([true, 1, true, 0]);
      const lit = new Promise<void>((resolve) => {
        gpio.onOutput((line, level) => {
          if (line === 'GPIO27' && level === 1) resolve();
        });
      });
      // A momentary press of a pulled-up button: away from rest, a bounce, back; the driver debounces (10ms).
      gpio.setInput('GPIO17', 0);
      gpio.setInput('GPIO17', 1);
      gpio.setInput('GPIO17', 0);
      await new Promise((resolve) => setTimeout(resolve, 40));
      gpio.setInput('GPIO17', 1);
      await lit;
      expect(gpio.level('GPIO27')).toBe(1);
      expect((await board.health()).unikernel).toMatchObject({ running: true, stops: [], traps: 0, outputs: { lamp: 1 } });
    } finally {
      await board.close();
    }
    expect(board.sim?.gpio.isOpen('GPIO17')).toBe(false);
  }, 60_000);

  it('falls back to slot B when slot A was tampered with, recording why', async () => {
    const dir = await boardDir('meeting-1-door');
    await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    await writeFile(join(dir, 'a', 'config.json'), '{"format": 1}');
    const choice = await chooseSlot(dir);
    expect(choice.row.name).toBe('active-broken');
    expect(choice.slot?.slot).toBe('b');
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toMatchObject({ active: 'b', lastBoot: { refused: { a: { code: 'slot.config-digest' } } } });
  });

  it('osmose boot --once --json prints the health report; a board with no valid slot is refused', async () => {
    let out = '';
    let err = '';
    const io = { cwd: parent, stdout: (text: string) => (out += text), stderr: (text: string) => (err += text), env: {}, interactive: false };
    const dir = await boardDir('meeting-2-door');
    expect(await runCli(['boot', dir, '--once', '--json'], io)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ board: 'meeting-2-door', slot: 'a', unikernel: { running: true } });

    await rm(join(dir, 'a'), { recursive: true });
    out = '';
    expect(await runCli(['boot', dir, '--once', '--json'], io)).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'boot.panic' } });
    expect(err).toBe('');
  }, 60_000);

  it('osmose boot runs the board until SIGINT, then reports and exits 0', async () => {
    const main = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
    if (!existsSync(main)) execFileSync('npm', ['run', '-s', 'build'], { cwd: join(import.meta.dirname, '..'), stdio: 'ignore' });
    const shim = spawn(process.execPath, [main, 'boot', await boardDir('open-space-door'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    shim.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => shim.once('exit', resolve));
    // The first report says the board is up; the shim must still be running after it.
    await new Promise<void>((resolve) => shim.stdout.once('data', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(shim.exitCode).toBe(null);
    shim.kill('SIGINT');
    expect(await exited).toBe(0);
    const reports = out.trim().split(/\n(?=\{)/).map((text) => JSON.parse(text) as { board: string; unikernel: { running: boolean } });
    expect(reports.map((report) => [report.board, report.unikernel.running])).toEqual([['open-space-door', true], ['open-space-door', true]]);
  }, 60_000);
});
