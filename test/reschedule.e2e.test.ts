import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import type { BuildPlan } from '../builder/plan/BuildPlan.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardCredentials } from '../image/diskImage/writeBoardCredentials.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { BoardAgent } from '../kernel-js/agent/BoardAgent.js';
import { memoryDatagramNetwork } from '../kernel-js/circuit/memoryDatagramNetwork.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import { serveGatewayControl, gatewayControlSocket } from '../ota/gateway/gatewayControlServer.js';
import type { RescheduleRecord } from '../ota/scheduler/RescheduleRecord.js';
import { Scheduler } from '../ota/scheduler/Scheduler.js';

// A room under its gateway and scheduler, in this process: a lamp board, a door board with
// the button, and a spare with the lamp board's aliases. The lights run on the lamp board
// (first in building.yaml, a tie on devices) and reach the button over a control circuit.
// The lamp board's agent is stopped: the scheduler finds it lost, records it down, builds
// again and rolls out to the boards whose image changed, and the spare then runs the lights.
// Functional checks only: what ran where, and what the ledger says; never how long it took.
let parent: string;
let root: string;
let gateway: Gateway;
let building: SimBuilding;
let scheduler: Scheduler;
let control: { close: (done: () => void) => void } | undefined;
let returned: BoardAgent | undefined;
const logs: string[] = [];

const yaml = (debounce: string): string => `osmose: 1
building: {id: reschedule-test, name: Reschedule test}
spaces:
  - id: room
    kind: room
    name: Room
    boards:
      - id: room-lamp
        board: sim
        devices:
          lamp: {driver: gpio-out, pin: GPIO27}
      - id: room-door
        board: sim
        devices:
          button: {driver: gpio-in, pin: GPIO17, pull: up, activeLow: true, debounce: ${debounce}}
      - id: room-spare
        board: sim
        spare: true
        devices:
          lamp: {driver: gpio-out, pin: GPIO27}
apps:
  - name: lights
    source: apps/lights
    place: {kind: room}
    needs: [button, lamp]
policies:
  default: deny
  rules:
    - app: lights
      allow: [gpio, presence, channel]
`;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs.slice(-30).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const latestPlan = (): BuildPlan => JSON.parse(git('show', 'refs/osmose/builds:plan.json')) as BuildPlan;
const lamp = (board: string): number | undefined => {
  const state = building.get(board, 'lamp');
  return 'level' in state ? state.level : undefined;
};
const recordOf = (test: (record: RescheduleRecord) => boolean): RescheduleRecord | undefined => scheduler.records.find((record) => test(record) && record.status !== 'rescheduling' && record.status !== 'rolling-out');

async function osmose(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-C', root, ...args], { cwd: root, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, interactive: false });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-reschedule-'));
  root = join(parent, 'b');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await writeFile(join(root, 'building.yaml'), yaml('10ms'));
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 50, tickMs: 50, onLog: (line) => logs.push(`gateway: ${line}`) });
  control = await serveGatewayControl(gateway, gatewayControlSocket(root));
  scheduler = await Scheduler.start({ root, fleet: gateway.fleet, lostAfter: 6, heartbeatMs: 50, watch: true, settleMs: 200, healthTimeoutMs: 60_000, onLog: (line) => logs.push(line) });
  const epoch = Math.floor(Date.now() / 1000);
  building = await SimBuilding.start(root, {
    boardsDir: join(parent, 'boards'),
    agents: {
      gateway: gateway.address(),
      credentials: (board, dir) => writeBoardCredentials(root, board, dir, epoch),
      heartbeatMs: 50,
      health: { heartbeats: 2, timeoutMs: 30_000 },
      reconnect: { baseMs: 20, maxMs: 200 },
    },
  });
  await until('every board to enrol', () => (gateway.fleet.boards().every((board) => board.online && board.heartbeats > 0) ? true : undefined));
}, 240_000);

afterAll(async () => {
  if (process.env['DEBUG_RESCHEDULE'] !== undefined) console.log(logs.join('\n'));
  await scheduler?.close();
  await returned?.close();
  await building?.close().catch(() => undefined);
  await new Promise<void>((done) => (control === undefined ? done() : control.close(() => done())));
  await gateway?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('rescheduling a simulated room', () => {
  it('runs the lights on the lamp board, the button reaching them over a circuit, the spare idle', async () => {
    const plan = latestPlan();
    expect(plan.fragments.map((f) => `${f.instance} on ${f.board}`)).toEqual(['lights@room on room-lamp']);
    expect(plan.schedule.spares).toEqual(['room-spare']);
    expect(plan.boards.find((b) => b.id === 'room-spare')?.fragments).toEqual([]);
    await building.press('room-door', 'button');
    await until('the lamp board\'s lamp to light', () => (lamp('room-lamp') === 1 ? true : undefined));
    expect(lamp('room-spare')).toBe(0);
  });

  it('finds the lamp board lost when its agent stops, records it down, rebuilds, and rolls out to the door and the spare only', async () => {
    const before = new Map(gateway.fleet.boards().map((board) => [board.board, board.image]));
    await building.agent('room-lamp')?.close();
    const record = await until('the failover to end', () => recordOf((r) => r.cause.kind === 'lost' && r.cause.board === 'room-lamp'));
    expect(record.status).toBe('restored');
    expect(record.targets).toEqual(['room-door', 'room-spare']);
    expect(record.schedule?.moved).toEqual([{ instance: 'lights@room', from: 'room-lamp', to: 'room-spare' }]);
    expect(record.restoreMs).toEqual(expect.any(Number));
    expect(record.detectionMs).toEqual(expect.any(Number));

    // The ledger: the down set and the record on refs/osmose/schedule, read by system git.
    await scheduler.idle();
    const down = JSON.parse(git('show', 'refs/osmose/schedule:down.json')) as { boards: { board: string; returned: string | null; why: string }[] };
    expect(down.boards).toMatchObject([{ board: 'room-lamp', returned: null }]);
    expect(down.boards[0]?.why).toMatch(/heartbeat|connection dropped/);
    const ledgerRecord = JSON.parse(git('show', `refs/osmose/schedule:reschedules/${record.id}.json`)) as RescheduleRecord;
    expect(ledgerRecord).toMatchObject({ status: 'restored', targets: ['room-door', 'room-spare'], rollout: record.rollout, build: record.build });
    expect(ledgerRecord.restoreMs).toBe(record.restoreMs);
    expect(git('log', '--format=%s', 'refs/osmose/schedule')).toContain(`reschedule ${record.id}: room-lamp lost: restored in`);
    expect(git('log', '--format=%s', 'refs/osmose/schedule')).toContain('room-lamp is down: ');

    // The build moved the lights to the spare; the dead board kept its image; the door's changed for its circuit's new end.
    const plan = latestPlan();
    expect(plan.fragments.map((f) => `${f.instance} on ${f.board} (${f.runsOn})`)).toEqual(['lights@room on room-spare (spare)']);
    const targets = new Map(gateway.fleet.build.rolloutTargets().map((target) => [target.board, target.image]));
    expect(targets.get('room-lamp')).toBe(before.get('room-lamp'));
    expect(targets.get('room-spare')).not.toBe(before.get('room-spare'));

    // The rollout offered the door and the spare, and no one else, in one wave.
    const rollout = gateway.fleet.rollout;
    expect(rollout?.spec.id).toBe(record.rollout);
    expect(rollout?.status).toBe('completed');
    expect(rollout?.spec.waves).toEqual([{ percent: 100 }]);
    expect(rollout?.boards.map((board) => `${board.board} ${board.state}`).sort()).toEqual(['room-door committed', 'room-spare committed']);
  });

  it('has the spare run the lights: a press of the door\'s button toggles the spare\'s lamp', async () => {
    await until('the spare to run its new image', () => (gateway.fleet.boards().find((board) => board.board === 'room-spare')?.confirmed === true ? true : undefined));
    expect(lamp('room-spare')).toBe(0);
    await building.press('room-door', 'button');
    await until('the spare\'s lamp to light', () => (lamp('room-spare') === 1 ? true : undefined));
    await building.press('room-door', 'button');
    await until('the spare\'s lamp to go out', () => (lamp('room-spare') === 0 ? true : undefined));
  });

  it('shows the board out of service and the reschedule in osmose status and osmose schedule', async () => {
    const status = await osmose(['status', '--json']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { schedule: { down: { board: string }[]; reschedules: RescheduleRecord[] } };
    expect(parsed.schedule.down.map((entry) => entry.board)).toEqual(['room-lamp']);
    expect(parsed.schedule.reschedules.find((r) => r.cause.kind === 'lost')?.status).toBe('restored');
    const text = await osmose(['status']);
    expect(text.stdout).toMatch(/out of service: room-lamp down since/);
    expect(text.stdout).toMatch(/room-lamp lost: restored in \d+\.\d+ s \(found lost \d+\.\d+ s after its last heartbeat\); moved lights@room → room-spare; rolled out to room-door, room-spare/);
    expect((await osmose(['schedule'])).stdout).toContain('room-lamp  down since');
    const plan = await osmose(['plan']);
    expect(plan.stdout).toContain('out of service (refs/osmose/schedule): room-lamp');
    expect(plan.stdout).toContain('runs lights@room  (moved here: room-lamp is out of service)');
  });

  it('rolls a topology change out to the boards it changes only, the lamp board still down', async () => {
    const records = scheduler.records.length;
    await writeFile(join(root, 'building.yaml'), yaml('20ms'));
    const record = await until('the topology change to roll out', () => recordOf((r) => r.cause.kind === 'topology' && scheduler.records.indexOf(r) >= records));
    expect(record.status).toBe('restored');
    expect(record.cause).toEqual({ kind: 'topology', files: ['building.yaml'] });
    expect(record.targets).toEqual(['room-door']);
    expect(gateway.fleet.rollout?.boards.map((board) => `${board.board} ${board.state}`)).toEqual(['room-door committed']);
    expect(latestPlan().fragments.map((f) => f.board)).toEqual(['room-spare']);
  });

  it('reports an invalid building.yaml and rolls nothing out', async () => {
    const records = scheduler.records.length;
    const rollout = gateway.fleet.rollout?.spec.id;
    const build = git('rev-parse', 'refs/osmose/builds');
    const valid = await readFile(join(root, 'building.yaml'), 'utf8');
    await writeFile(join(root, 'building.yaml'), valid.replace('place: {kind: room}', 'place: {kind: room, has: [nothing-has-this]}'));
    const record = await until('the refused change to be reported', () => recordOf((r) => r.cause.kind === 'topology' && scheduler.records.indexOf(r) >= records));
    expect(record.status).toBe('refused');
    expect(record.reason).toMatch(/refused/);
    expect(logs.some((line) => line.includes('the build was refused, nothing is rolled out'))).toBe(true);
    expect(gateway.fleet.rollout?.spec.id).toBe(rollout);
    expect(git('rev-parse', 'refs/osmose/builds')).toBe(build);
    // Put right, it builds to what the ledger has: nothing to roll out.
    await writeFile(join(root, 'building.yaml'), valid);
    await until('the scheduler to settle', async () => {
      await scheduler.idle();
      return logs.some((line) => line.includes('nothing changed that a board runs')) ? true : undefined;
    });
    expect(gateway.fleet.rollout?.spec.id).toBe(rollout);
  });

  it('records the lamp board back when it returns, leaves the lights on the spare, and gives it an image that runs nothing', async () => {
    const network = memoryDatagramNetwork();
    returned = await BoardAgent.start({
      dir: join(parent, 'boards', 'room-lamp'),
      gateway: gateway.address(),
      boot: { datagrams: (address) => network.port(address) },
      heartbeatMs: 50,
      health: { heartbeats: 2, timeoutMs: 30_000 },
      reconnect: { baseMs: 20, maxMs: 200 },
    });
    const record = await until('the return to roll out', () => recordOf((r) => r.cause.kind === 'returned'));
    expect(record.status).toBe('restored');
    expect(record.targets).toEqual(['room-lamp']);
    const down = JSON.parse(git('show', 'refs/osmose/schedule:down.json')) as { boards: { board: string; returned: string | null }[] };
    expect(down.boards).toMatchObject([{ board: 'room-lamp', returned: expect.any(String) as unknown }]);
    const plan = latestPlan();
    expect(plan.fragments.map((f) => f.board)).toEqual(['room-spare']);
    expect(plan.boards.find((b) => b.id === 'room-lamp')?.fragments).toEqual([]);
    await until('the lamp board to run its new image', () => {
      const board = gateway.fleet.boards().find((candidate) => candidate.board === 'room-lamp');
      const target = gateway.fleet.build.rolloutTargets().find((candidate) => candidate.board === 'room-lamp')?.image;
      return board !== undefined && board.image === target && board.confirmed ? true : undefined;
    });
    expect(returned.board.choice.slot?.config.fragments).toEqual([]);
  });

  it('moves the lights back only when the operator restores the board', async () => {
    const restore = await osmose(['schedule', 'restore', 'room-lamp']);
    expect(restore.code).toBe(0);
    expect(JSON.parse(git('show', 'refs/osmose/schedule:down.json'))).toEqual({ format: 1, boards: [] });
    const plan = await osmose(['plan', '--json']);
    expect((JSON.parse(plan.stdout) as BuildPlan).fragments.map((f) => `${f.instance} on ${f.board} (${f.runsOn})`)).toEqual(['lights@room on room-lamp (devices)']);
    const refused = await osmose(['schedule', 'restore', 'room-lamp']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not out of service');
  });

  it('takes a board out of service by hand, and refuses a board the building does not have', async () => {
    expect((await osmose(['schedule', 'down', 'room-door', '--reason', 'rewiring the button'])).code).toBe(0);
    expect(JSON.parse(git('show', 'refs/osmose/schedule:down.json'))).toMatchObject({ boards: [{ board: 'room-door', why: 'rewiring the button', returned: null }] });
    const plan = await osmose(['plan']);
    expect(plan.stdout).toContain('stranded: lights@room still binds button to button on room-door, which is out of service');
    const unknown = await osmose(['schedule', 'down', 'room-dor']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Did you mean "room-door"?');
    expect((await osmose(['schedule', 'restore', 'room-door'])).code).toBe(0);
  });
});
