import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { decodeWav, encodeWav } from '../drivers/index.js';
import { simControlSocket } from '../image/sim/simControlServer.js';
import { startSimulator } from './startSimulator.js';
import { inflateSync } from 'node:zlib';

// `osmose sim` as a user runs it: the built program in its own process, driven from "another
// shell" (the CLI run in-process here) through its control socket.
let parent: string;
let root: string;
let simulator: ChildProcess;
let events: Record<string, unknown>[] = [];

async function osmose(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-C', root, ...args], { cwd: parent, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, interactive: false });
  return { code, stdout, stderr };
}

const lamp = async (): Promise<number> => (JSON.parse((await osmose('sim', 'get', 'meeting-1-door.lamp', '--json')).stdout) as { level: number }).level;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-sim-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
  const running = await startSimulator(root);
  simulator = running.child;
  events = running.events;
}, 180_000);

afterAll(async () => {
  if (simulator.exitCode === null) simulator.kill('SIGKILL');
  await rm(parent, { recursive: true, force: true });
});

describe('osmose sim', () => {
  it('runs every simulated board of the build, each unikernel up with no stop', async () => {
    const running = events.find((event) => event['event'] === 'running');
    expect((running?.['boards'] as string[]).length).toBe(21);
    const { code, stdout } = await osmose('sim', 'boards', '--json');
    expect(code).toBe(0);
    const { boards } = JSON.parse(stdout) as { boards: { board: string; running: boolean; stops: number; slot: string }[] };
    expect(boards).toHaveLength(21);
    expect(boards.filter((board) => !board.running || board.stops > 0)).toEqual([]);
    expect(new Set(boards.map((board) => board.slot))).toEqual(new Set(['a']));
  });

  it("toggles a meeting room's lamp with each osmose sim press of its button", async () => {
    expect(await lamp()).toBe(0);
    const pressed = await osmose('sim', 'press', 'meeting-1-door.button');
    expect(pressed).toMatchObject({ code: 0, stderr: '' });
    expect(await lamp()).toBe(1);
    expect(events).toContainEqual({ event: 'output', board: 'meeting-1-door', device: 'lamp', level: 1 });
    expect((await osmose('sim', 'press', 'meeting-1-door.button', '--hold', '30')).code).toBe(0);
    expect(await lamp()).toBe(0);
    // The other meeting room's lamp was never touched.
    expect((JSON.parse((await osmose('sim', 'get', 'meeting-2-door.lamp', '--json')).stdout) as { level: number }).level).toBe(0);
  });

  it("toggles the phone booth's ceiling light, on another board, with its door's button: over a circuit", async () => {
    const ceiling = async (): Promise<number> => (JSON.parse((await osmose('sim', 'get', 'booth-ceiling.lamp', '--json')).stdout) as { level: number }).level;
    expect(await ceiling()).toBe(0);
    expect((await osmose('sim', 'press', 'booth-door.button')).code).toBe(0);
    // The press travels as a datagram after the press returns: give it the moment it takes.
    for (let i = 0; i < 100 && (await ceiling()) !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ceiling()).toBe(1);
    const listed = JSON.parse((await osmose('sim', 'boards', '--json')).stdout) as { boards: { board: string; circuits: { circuits: Record<string, { sent: number; accepted: number }> } | null }[] };
    const circuit = (board: string) => listed.boards.find((b) => b.board === board)?.circuits?.circuits['booth-lights@booth/lamp'];
    expect(circuit('booth-door')).toMatchObject({ sent: 1 });
    expect(circuit('booth-ceiling')).toMatchObject({ accepted: 1 });
  });

  it('drives an input with set and reads it back, as the app reads it', async () => {
    expect((await osmose('sim', 'set', 'open-space-door.button', '1')).code).toBe(0);
    expect(JSON.parse((await osmose('sim', 'get', 'open-space-door.button', '--json')).stdout)).toMatchObject({ driver: 'gpio-in', level: 1 });
    expect((await osmose('sim', 'set', 'open-space-door.button', '0')).code).toBe(0);
  });

  it('saves what a wall display shows as PNG', async () => {
    const out = join(parent, 'wall.png');
    expect((await osmose('sim', 'display', 'meeting-1-wall.screen', '--out', out)).code).toBe(0);
    const png = await readFile(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(2560);
    expect(png.readUInt32BE(20)).toBe(1440);
    // The wallpaper app (in plain TypeScript, run by the board's script engine) drew the room's
    // name on white: black pixels in the middle band only. One IDAT of unfiltered RGB rows.
    const idat = png.indexOf('IDAT');
    const rows = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const dark = (y: number): number => {
      let count = 0;
      for (let x = 0; x < 2560; x++) if (rows[y * (2560 * 3 + 1) + 1 + x * 3] === 0) count++;
      return count;
    };
    expect(dark(100)).toBe(0);
    expect(Math.max(...Array.from({ length: 200 }, (_, i) => dark(620 + i)))).toBeGreaterThan(100);
  });

  it('plays a WAV file into a microphone and saves what a speaker played', async () => {
    const wav = join(parent, 'voice.wav');
    await writeFile(wav, encodeWav({ rate: 16000, channels: 4, samples: new Int16Array(16000 * 4) }));
    // Nobody is in the room, so the recorder is not capturing: the file is offered, and not heard.
    const injected = await osmose('sim', 'inject', 'meeting-1-ceiling.mic', wav);
    expect(injected).toMatchObject({ code: 0, stdout: 'meeting-1-ceiling.mic is not capturing: nothing was heard\n' });
    const out = join(parent, 'speaker.wav');
    expect((await osmose('sim', 'played', 'corridor-guide-1.speaker', '--out', out)).code).toBe(0);
    expect(decodeWav(await readFile(out))).toMatchObject({ rate: 16000, channels: 1 });
    expect((await osmose('sim', 'inject', 'meeting-1-door.lamp', wav)).stderr).toMatch(/is not a microphone/);
  });

  it('refuses what it cannot do with the reason and a hint', async () => {
    const unknown = await osmose('sim', 'get', 'nowhere.lamp');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no simulated board nowhere is running\n\s+hint: running: booth-ceiling, booth-door, corridor-guide-1, /);
    expect((await osmose('sim', 'get', 'meeting-1-door.kettle')).stderr).toMatch(/meeting-1-door has no device kettle\n\s+hint: its devices: button, lamp/);
    expect((await osmose('sim', 'set', 'meeting-1-door.lamp', '1')).stderr).toMatch(/is an output: the unikernel drives it/);
    expect((await osmose('sim', 'press', 'meeting-1-wall.screen')).stderr).toMatch(/is not a digital input/);
    expect((await osmose('sim', 'set', 'meeting-1-door.button', 'on')).stderr).toMatch(/a level is 0 or 1, not on/);
    expect((await osmose('sim', 'get', 'meeting-1-door')).stderr).toMatch(/meeting-1-door is not BOARD.DEVICE/);
  });

  it('refuses a second simulator of the same building', async () => {
    const second = await osmose('sim');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/a simulator already runs this building/);
  });

  it('stops on SIGINT, removing its socket; then the controls say nothing runs', async () => {
    const exited = new Promise<number | null>((resolve) => simulator.once('exit', resolve));
    simulator.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(simControlSocket(root))).toBe(false);
    const after = await osmose('sim', 'get', 'meeting-1-door.lamp');
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/no simulator runs this building/);
  });
});
