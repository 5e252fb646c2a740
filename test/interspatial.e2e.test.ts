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

// The paper's scenario in a whole simulated coworking building, as make demo runs it: the
// built program runs the gateway and every board (`osmose sim --listen`), and the entrance,
// the people's walk and the meeting are driven from "another shell" (the CLI in-process).
// Each privacy property is checked as a participant would meet it: through `osmose records
// open` with their own badge, and by reading every git object and every stored file.
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

async function json<T>(...args: string[]): Promise<T> {
  const run = await osmose(...args, '--json');
  expect(run, `osmose ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
}

interface Arrival {
  pseudonym: string;
  publicKey: string;
}
interface RecordSummary {
  board: string;
  epoch: string;
  members: string[];
  erased: number;
  seconds: number;
  endedAt: string | null;
  endReason: string | null;
  activityChannels: number[];
}
interface Opened {
  seconds: number;
  samples: number;
  activity: { channel: number; seat: number | null; speechMs: number }[];
}
interface Sample {
  cause: { space?: string; who?: string };
  effect: { board?: string; device?: string };
  ms: number;
}
interface Timeline {
  latencies: Record<string, { samples: Sample[] }>;
  peers: { host: string; loopback: boolean }[];
  outside: unknown[];
  entries: { kind: string; message?: string; board?: string }[];
}

const people: Record<'alice' | 'bob' | 'carol' | 'dave', Arrival & { badge: string }> = {} as never;
const records = async (): Promise<RecordSummary[]> => (await json<{ records: RecordSummary[] }>('records')).records;
const open = (epoch: string, who: keyof typeof people): Promise<Run> => osmose('records', 'open', epoch, '--as', people[who].pseudonym, '--badge', people[who].badge, '--json');

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-interspatial-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
  simulator = await startSimulator(root, ['--listen', '127.0.0.1:0', '--heartbeat', '200']);
}, 180_000);

afterAll(async () => {
  await simulator.stop();
  await rm(parent, { recursive: true, force: true });
});

describe('the interspatial scenario', () => {
  it('prepares the room before people arrive, records the meeting for those present, pauses and rotates the key when one leaves', async () => {
    const admit = async (name: keyof typeof people, badge: string, ...more: string[]): Promise<void> => {
      people[name] = { ...(await json<Arrival>('people', 'admit', '--badge', badge, ...more)), badge };
    };
    await admit('alice', '1001', '--to', 'meeting-1', '--prefer', 'temperature=22.5');
    await admit('bob', '1002', '--to', 'meeting-1');
    await admit('carol', '1003', '--to', 'meeting-1');
    await admit('dave', '1004', '--to', 'meeting-2');
    expect(new Set(Object.values(people).map((p) => p.pseudonym)).size).toBe(4);

    // Prepared ahead: meeting-1's lamp and heater are on while everyone is still at the entrance.
    expect(JSON.parse((await osmose('sim', 'get', 'meeting-1-door.lamp', '--json')).stdout)).toMatchObject({ level: 1 });
    expect(JSON.parse((await osmose('sim', 'get', 'meeting-1-heating.heater', '--json')).stdout)).toMatchObject({ level: 1 });
    // The preference followed alice's pseudonym to the heating of the room she is expected in.
    const early = await json<Timeline>('sim', 'timeline');
    expect(early.entries.some((entry) => entry.kind === 'log' && entry.board === 'meeting-1-heating' && /22\.5 °C/.test(entry.message ?? ''))).toBe(true);
    expect(early.latencies['expectedToLights']?.samples.some((s) => s.cause.space === 'meeting-1' && s.effect.board === 'meeting-1-door')).toBe(true);

    for (const name of ['alice', 'bob', 'carol'] as const) expect((await osmose('people', 'move', people[name].pseudonym, 'corridor')).code).toBe(0);
    for (const name of ['alice', 'bob', 'carol'] as const) expect((await osmose('people', 'move', people[name].pseudonym, 'meeting-1')).code).toBe(0);
    // The meeting: each talks at their seat (seat i is the i-th arrival, channel i of the array).
    for (const channel of ['1', '2', '3']) expect((await osmose('sim', 'talk', 'meeting-1-ceiling.mic', '--channel', channel, '--seconds', '0.5')).stdout).toMatch(/of talk/);
    // Carol leaves: the recording pauses, the key epoch ends, and alice and bob go on under a new key.
    expect((await osmose('people', 'move', people.carol.pseudonym, 'open-space')).code).toBe(0);
    for (const channel of ['1', '2']) expect((await osmose('sim', 'talk', 'meeting-1-ceiling.mic', '--channel', channel, '--seconds', '0.5')).stdout).toMatch(/of talk/);
    for (const name of ['alice', 'bob'] as const) expect((await osmose('people', 'leave', people[name].pseudonym)).code).toBe(0);

    // The departures reach the table board over its session; the last epoch ends when they do.
    let kept: RecordSummary[] = [];
    await vi.waitFor(async () => {
      kept = await records();
      expect(kept.filter((r) => r.endedAt === null)).toEqual([]);
    }, { timeout: 10_000, interval: 50 });
    const names = new Map(Object.entries(people).map(([name, p]) => [p.pseudonym, name]));
    const byMembers = (list: string[]): RecordSummary | undefined => kept.find((r) => r.seconds > 0 && r.members.map((m) => names.get(m)).join(',') === list.join(','));
    const all3 = byMembers(['alice', 'bob', 'carol']);
    const after = byMembers(['alice', 'bob']);
    expect(all3?.board).toBe('meeting-1-table');
    expect(after?.board).toBe('meeting-1-table');
    expect(all3?.endReason).toBe('left');
    if (all3 === undefined || after === undefined) throw new Error('the meeting was not recorded');

    // Those present read it, with the voice activity of each seat (the derived record).
    const read = JSON.parse((await open(all3.epoch, 'alice')).stdout) as Opened;
    expect(read.seconds).toBeGreaterThan(1);
    expect(read.activity.filter((a) => a.speechMs > 0).map((a) => a.seat)).toEqual([1, 2, 3]);
    expect((await open(all3.epoch, 'carol')).code).toBe(0);
    // Someone who was never there cannot; nor can carol read what was said after she left.
    for (const [epoch, who] of [[all3.epoch, 'dave'], [after.epoch, 'carol'], [after.epoch, 'dave']] as const) {
      const refused = await open(epoch, who);
      expect(refused.code, `${who} reading ${epoch}`).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'record.not-a-participant' } });
    }
    // Nor can anyone open someone else's key without their badge.
    expect((await osmose('records', 'open', all3.epoch, '--as', people.alice.pseudonym, '--badge', '1004')).stderr).toMatch(/that badge or password is not p-/);

    const timeline = await json<Timeline>('sim', 'timeline');
    expect(timeline.latencies['leaveToPause']?.samples.some((s) => s.cause.space === 'meeting-1' && s.cause.who === people.carol.pseudonym && s.effect.board === 'meeting-1-table')).toBe(true);
    // Nothing left the building: every peer of every socket of the simulator was this machine.
    expect(timeline.peers.length).toBeGreaterThan(0);
    expect(timeline.outside).toEqual([]);
  }, 120_000);

  it('erases a person: their recordings, wrapped keys and register entry go, no git object holds them, and the others still read theirs', async () => {
    const before = await records();
    const shared = before.find((r) => r.members.includes(people.carol.pseudonym) && r.members.includes(people.alice.pseudonym) && r.seconds > 0);
    const alone = before.filter((r) => r.members.length === 1 && r.members[0] === people.carol.pseudonym);
    if (shared === undefined) throw new Error('no shared recording to erase carol from');
    const erased = await json<{ boards: { board: string; epochsRemoved: number; membershipsRemoved: number }[]; ledger: { found: unknown[]; objectsScanned: number } }>('erase', people.carol.pseudonym);
    expect(erased.ledger.found).toEqual([]);
    expect(erased.boards.find((b) => b.board === 'meeting-1-table')).toMatchObject({ epochsRemoved: alone.filter((r) => r.board === 'meeting-1-table').length });
    expect(erased.boards.reduce((sum, b) => sum + b.membershipsRemoved, 0)).toBeGreaterThan(0);

    // No git object of the building, reachable or not, holds carol's pseudonym or her key.
    const key = Buffer.from(people.carol.publicKey, 'base64');
    const needles = [people.carol.pseudonym, people.carol.publicKey, key.toString('hex')].map((text) => Buffer.from(text));
    const objects = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch', '--unordered'], { cwd: root, maxBuffer: 1 << 30 });
    for (const needle of [...needles, key]) expect(objects.includes(needle), `a git object holds ${needle.toString('hex').slice(0, 16)}`).toBe(false);
    expect(execFileSync('git', ['fsck', '--strict'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    // Nor does any file the simulated boards keep.
    for (const file of filesUnder(simBoardsDir(root))) {
      const bytes = readFileSync(file);
      for (const needle of [...needles, key]) expect(bytes.includes(needle), `${file} holds carol's data`).toBe(false);
    }

    // The shared recording is still there for alice and bob, without carol.
    const after = await records();
    const kept = after.find((r) => r.epoch === shared.epoch);
    expect(kept?.members).toEqual(shared.members.filter((m) => m !== people.carol.pseudonym));
    expect(kept?.erased).toBe(1);
    expect(after.some((r) => r.members.includes(people.carol.pseudonym))).toBe(false);
    const read = JSON.parse((await open(shared.epoch, 'alice')).stdout) as Opened;
    expect(read.seconds).toBeCloseTo(shared.seconds, 3);
    // Carol's seat has no voice activity record any more; alice's and bob's do.
    expect(read.activity.filter((a) => a.speechMs > 0).map((a) => a.seat)).toEqual([1, 2]);
    expect(read.activity.some((a) => a.channel === 3)).toBe(false);
    // And carol is unknown to the building.
    expect((await osmose('records', 'open', shared.epoch, '--as', people.carol.pseudonym, '--badge', people.carol.badge)).stderr).toMatch(/the building knows no p-/);
  }, 120_000);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
