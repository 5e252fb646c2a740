import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { simBoardsDir } from '../image/sim/SimBuilding.js';
import { startSimulator, type RunningSimulator } from './startSimulator.js';

// The entrance board is the way in: a badge shown to the simulated entrance-door travels over
// the board's own mTLS Cap'n Proto session (Session.admit) to the gateway's front desk, in a
// whole coworking building run by the built program (`osmose sim --listen`, the gateway and
// every board under its update agent) and driven from "another shell" (the CLI in-process).
// Badge ids unlike anything else in a repository, so that finding one in an object means a leak.
const alice = 'badge-1001-quokka-7e3f';
const refused = 'badge-1002-pangolin-c41d';
let parent: string;
let root: string;
let simulator: RunningSimulator;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function osmose(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-C', root, ...args], { cwd: parent, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, interactive: false });
  return { code, stdout, stderr };
}

interface Admission {
  pseudonym: string;
  returning: boolean;
  handle: number;
  space: string;
  destination: string | null;
  preferences: { temperature?: number };
}
interface Listing {
  people: { pseudonym: string; where: string | null; destination: string | null; preferences: { temperature?: number } }[];
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-badge-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
  simulator = await startSimulator(root, ['--listen', '127.0.0.1:0', '--heartbeat', '200']);
  // The entrance board reaches the gateway on its own schedule: wait for its session.
  await vi.waitFor(async () => expect((await osmose('status')).stdout).toMatch(/entrance-door\s.*online/), { timeout: 30_000, interval: 100 });
}, 180_000);

afterAll(async () => {
  await simulator.stop();
  await rm(parent, { recursive: true, force: true });
});

describe('a badge shown to the entrance board', () => {
  it('admits the person over the board session: a pseudonym, the visit at the entrance, meeting-1 prepared', async () => {
    const shown = await osmose('sim', 'badge', 'entrance-door', alice, '--to', 'meeting-1', '--prefer', 'temperature=22.5');
    expect(shown, shown.stderr).toMatchObject({ code: 0, stderr: '' });
    const line = /^(p-\S+) admitted at entrance, expected in meeting-1 \(visit (\d+), prefers 22\.5 °C\)\n$/.exec(shown.stdout);
    expect(line, shown.stdout).not.toBeNull();
    const pseudonym = line?.[1] ?? '';

    const listing = await osmose('people', 'list', '--json');
    expect((JSON.parse(listing.stdout) as Listing).people).toEqual([expect.objectContaining({ pseudonym, where: 'entrance', destination: 'meeting-1', preferences: { temperature: 22.5 } })]);
    // Prepared ahead, as for an admission at the front desk: meeting-1's lamp is on while they are still at the door.
    await vi.waitFor(async () => expect(JSON.parse((await osmose('sim', 'get', 'meeting-1-door.lamp', '--json')).stdout)).toMatchObject({ level: 1 }), { timeout: 10_000, interval: 50 });

    // The same badge again is the same person, back at the door: same pseudonym, same visit.
    const again = await osmose('sim', 'badge', 'entrance-door', alice, '--json');
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(again.stdout) as Admission).toEqual({ pseudonym, returning: true, handle: Number(line?.[2]), space: 'entrance', destination: null, preferences: { temperature: 22.5 } });
  }, 60_000);

  it('is refused by a board that is not in an entrance, and nobody is admitted', async () => {
    const before = (JSON.parse((await osmose('people', 'list', '--json')).stdout) as Listing).people;
    const shown = await osmose('sim', 'badge', 'meeting-1-door', refused, '--to', 'meeting-1', '--json');
    expect(shown.code).toBe(1);
    const error = (JSON.parse(shown.stdout) as { ok: boolean; error: { code: string; message: string; hint?: string } }).error;
    expect(error).toMatchObject({ code: 'rpc.capability-denied' });
    expect(error.message).toMatch(/meeting-1-door is in meeting-1, a space of kind room, not an entrance/);
    expect(error.hint).toMatch(/entrance door board/);
    expect((JSON.parse((await osmose('people', 'list', '--json')).stdout) as Listing).people).toEqual(before);

    // Without a credential, the simulator refuses before any board is asked.
    expect(JSON.parse((await osmose('sim', 'badge', 'entrance-door', '', '--json')).stdout)).toMatchObject({ ok: false, error: { code: 'sim.bad-credential' } });
  }, 60_000);

  it('leaves no trace of a badge: no git object, no board file, no log line holds one', () => {
    const objects = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch', '--unordered'], { cwd: root, maxBuffer: 1 << 30 });
    expect(objects.length).toBeGreaterThan(0);
    for (const badge of [alice, refused]) {
      expect(objects.includes(Buffer.from(badge)), `a git object holds ${badge}`).toBe(false);
      for (const file of filesUnder(simBoardsDir(root))) expect(readFileSync(file).includes(Buffer.from(badge)), `${file} holds ${badge}`).toBe(false);
      expect(simulator.output().includes(badge), `the simulator's output holds ${badge}`).toBe(false);
    }
    // The gateway did log the admissions and the refusal (so the output is where a badge would
    // be), without who was admitted: the pseudonym is erasable, a log line is not.
    expect(simulator.output()).toMatch(/entrance-door admitted someone new at entrance/);
    expect(simulator.output()).toMatch(/refused admit to meeting-1-door/);
    expect(simulator.output()).not.toMatch(/p-[a-z0-9]{8}/);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
