import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import type { UpdateState } from '../kernel-js/update/updateTable.js';
import { Gateway } from '../ota/gateway/Gateway.js';

// The pace of heartbeats: a settled board sends them at the gateway's idle pace (here a minute,
// so none comes during the test), a board on trial at the trial pace its health gate counts, and
// an agent sends one at once at each step of an update, so the gateway need not wait for the
// next one to see where the board is.
let parent: string;
let root: string;
let gateway: Gateway;
let building: SimBuilding;
const states: { board: string; state: UpdateState }[] = [];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const heartbeats = (): Map<string, number> => new Map(gateway.fleet.boards().map((board) => [board.board, board.heartbeats]));

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-heartbeat-pace-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 40, idleHeartbeatMs: 60_000, tickMs: 40 });
  const epoch = Math.floor(Date.now() / 1000);
  building = await SimBuilding.start(root, {
    boardsDir: join(parent, 'boards'),
    agents: {
      gateway: gateway.address(),
      credentials: { many: (boards) => writeBoardCredentialsMany(root, boards, epoch) },
      // The gate fails when the trial's heartbeats come at the idle pace: a minute each.
      health: { heartbeats: 3, timeoutMs: 20_000 },
      reconnect: { baseMs: 20, maxMs: 200 },
      onState: (board, state) => states.push({ board, state }),
    },
  });
  await until('every board to enrol', () => (gateway.fleet.boards().every((board) => board.online && board.heartbeats > 0) ? true : undefined));
}, 240_000);

afterAll(async () => {
  await building?.close();
  await gateway?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('heartbeats at the gateway\'s pace', () => {
  it('gates a trial on heartbeats at the trial pace while settled boards stay at the idle pace, and hears of every step at once', async () => {
    const before = heartbeats();
    const lights = join(root, 'apps', 'lights', 'assembly', 'index.ts');
    await writeFile(lights, (await readFile(lights, 'utf8')).replace('let lit = false;', 'let lit = false;\nlet presses: i32 = 0;').replace('if (status == Status.Ok) lit = !lit;', 'if (status == Status.Ok) { lit = !lit; presses++; }'));
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    await gateway.fleet.startRollout({ waves: [{ percent: 100 }], maxFailures: { count: 0 }, windows: [], healthTimeoutMs: 60_000 });
    const end = await until('the rollout to end', () => {
      const state = gateway.fleet.rollout;
      return state !== undefined && ['completed', 'completed-with-failures', 'halted', 'aborted'].includes(state.status) ? state : undefined;
    });
    expect(end.status).toBe('completed');
    const changed = end.boards.filter((board) => board.state === 'committed').map((board) => board.board);
    const unchanged = end.boards.filter((board) => board.state === 'unchanged').map((board) => board.board);
    expect(changed.length).toBeGreaterThan(0);
    expect(unchanged.length).toBeGreaterThan(0);

    // The commit's step sends a heartbeat at once: the gateway sees the new image confirmed
    // long before a settled board's next heartbeat would be due.
    const targets = new Map(end.boards.map((board) => [board.board, board.target]));
    await until('the updated boards to say they run the new image, confirmed', () =>
      gateway.fleet.boards().every((board) => !changed.includes(board.board) || (board.image === targets.get(board.board) && board.confirmed && board.agentState === 'idle')) ? true : undefined,
    );
    const after = heartbeats();
    for (const board of unchanged) expect(after.get(board), board).toBe(before.get(board));
    // The gate's three on trial (the first sent as the board booted into it) and the one that
    // says it committed, at least; steps in flight together share one.
    for (const board of changed) expect((after.get(board) ?? 0) - (before.get(board) ?? 0), board).toBeGreaterThanOrEqual(4);
    expect(states.some(({ state }) => state === 'trial')).toBe(true);
  }, 120_000);
});
