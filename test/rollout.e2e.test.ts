import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardCredentials } from '../image/diskImage/writeBoardCredentials.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { readBoardState } from '../kernel-js/boot/boardStateFile.js';
import type { GatewayEvent } from '../kernel-js/net/gatewayTypes.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import type { RolloutState } from '../ota/rollout/RolloutState.js';
import { rolloutHistory } from '../ota/rollout/rolloutHistory.js';

// A whole simulated building under its gateway, in this process: 21 boards, each under its
// update agent on its own mutually authenticated TLS connection, take two rollouts — one that
// converges, and one whose image fails its self-test on the canary and is halted.
let parent: string;
let root: string;
let gateway: Gateway;
let building: SimBuilding;
const events: { board: string; event: GatewayEvent }[] = [];

const lightsApp = (): string => join(root, 'apps', 'lights', 'assembly', 'index.ts');

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function rolloutEnded(): Promise<RolloutState> {
  return until('the rollout to end', () => {
    const state = gateway.fleet.rollout;
    return state !== undefined && ['completed', 'completed-with-failures', 'completed-with-deferred', 'halted', 'aborted'].includes(state.status) ? state : undefined;
  });
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-rollout-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 40, tickMs: 40 });
  const epoch = Math.floor(Date.now() / 1000);
  building = await SimBuilding.start(root, {
    boardsDir: join(parent, 'boards'),
    agents: {
      gateway: gateway.address(),
      credentials: (board, dir) => writeBoardCredentials(root, board, dir, epoch),
      heartbeatMs: 40,
      health: { heartbeats: 2, timeoutMs: 10_000 },
      reconnect: { baseMs: 20, maxMs: 200 },
      onEvent: (board, event) => events.push({ board, event }),
    },
  });
  await until('every board to enrol', () => (gateway.fleet.boards().every((board) => board.online && board.heartbeats > 0) ? true : undefined));
}, 240_000);

afterAll(async () => {
  await building?.close();
  await gateway?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('a rolling upgrade of the simulated building', () => {
  it('rolls a changed app out in waves to the boards whose image changed, and leaves the others alone', async () => {
    const before = new Map(gateway.fleet.boards().map((board) => [board.board, board.image]));
    await writeFile(lightsApp(), (await readFile(lightsApp(), 'utf8')).replace('let lit = false;', 'let lit = false;\nlet presses: i32 = 0;').replace('if (status == Status.Ok) lit = !lit;', 'if (status == Status.Ok) { lit = !lit; presses++; }'));
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    await gateway.fleet.startRollout({ waves: [{ count: 1 }, { percent: 50 }, { percent: 100 }], maxFailures: { count: 0 }, windows: [], healthTimeoutMs: 20_000 });
    const end = await rolloutEnded();
    expect(end.status).toBe('completed');
    const targets = new Map(gateway.fleet.build.rolloutTargets().map((target) => [target.board, target.image]));
    const changed = [...targets].filter(([board, image]) => before.get(board) !== image).map(([board]) => board);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(targets.size);
    await until('every board to report its new image', () => (gateway.fleet.boards().every((board) => board.image === targets.get(board.board) && board.confirmed) ? true : undefined));
    for (const state of end.boards) expect(state.state, state.board).toBe(changed.includes(state.board) ? 'committed' : 'unchanged');
    // Only boards whose image changed were offered anything; each downloaded only what it lacked.
    const downloaded = events.filter(({ event }) => event.kind === 'downloaded');
    expect(new Set(downloaded.map(({ board }) => board))).toEqual(new Set(changed));
    for (const board of changed) {
      const state = readBoardState(join(parent, 'boards', board));
      expect(state).toMatchObject({ active: 'b', confirmed: true });
      expect(state.awaitingCommit).toBeUndefined();
    }
    // The journal is on refs/osmose/rollouts, readable by system git, and tells which board ran what.
    const log = execFileSync('git', ['log', '--format=%s', 'refs/osmose/rollouts'], { cwd: root, encoding: 'utf8' });
    expect(log).toContain(end.spec.id);
    const history = await rolloutHistory(root);
    expect(JSON.stringify(history)).toContain(changed[0]);
  }, 120_000);

  it('sends a board whose configuration changed but whose wasm did not only what changed', async () => {
    const yaml = join(root, 'building.yaml');
    const text = await readFile(yaml, 'utf8');
    const door = text.indexOf('- id: meeting-1-door');
    const debounce = text.indexOf('debounce: 10ms', door);
    expect(door).toBeGreaterThan(0);
    expect(debounce).toBeGreaterThan(door);
    await writeFile(yaml, `${text.slice(0, debounce)}debounce: 20ms${text.slice(debounce + 'debounce: 10ms'.length)}`);
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    const served = gateway.counters.bytesServed;
    const downloadsBefore = events.filter(({ event }) => event.kind === 'downloaded').length;
    await gateway.fleet.startRollout({ waves: [{ percent: 100 }], maxFailures: { count: 0 }, windows: [], healthTimeoutMs: 20_000 });
    const end = await rolloutEnded();
    expect(end.status).toBe('completed');
    expect(end.boards.filter((board) => board.state === 'committed').map((board) => board.board)).toEqual(['meeting-1-door']);
    const slot = await gateway.fleet.build.slot('meeting-1-door');
    const wasm = slot.files.filter((file) => file.name.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    const rest = slot.files.filter((file) => !file.name.endsWith('.wasm')).reduce((sum, file) => sum + file.length, 0);
    // Its configuration, manifest and the signed metadata travelled; its module did not.
    const sent = gateway.counters.bytesServed - served;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(rest);
    expect(events.filter(({ event }) => event.kind === 'downloaded').length).toBe(downloadsBefore + 1);
  }, 120_000);

  it('halts a rollout whose image fails its self-test on the canary, which goes back to the image it ran', async () => {
    const running = new Map(gateway.fleet.boards().map((board) => [board.board, board.image]));
    await writeFile(lightsApp(), `${await readFile(lightsApp(), 'utf8')}\nexport function selftest(): Status {\n  return Status.Unavailable;\n}\n`);
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    await gateway.fleet.startRollout({ waves: [{ count: 1 }, { percent: 100 }], maxFailures: { count: 0 }, windows: [], healthTimeoutMs: 20_000 });
    const end = await rolloutEnded();
    expect(end.status).toBe('halted');
    expect(end.failures).toHaveLength(1);
    expect(end.failures[0]?.reason).toMatch(/self-test/);
    const canary = end.failures[0]?.board ?? '';
    await until('the canary to run its old image again', () => (gateway.fleet.boards().find((board) => board.board === canary)?.image === running.get(canary) ? true : undefined));
    // No other board was touched.
    for (const board of gateway.fleet.boards()) expect(board.image, board.board).toBe(running.get(board.board));
    expect(events.some(({ board, event }) => board === canary && event.kind === 'reverted' && /self-test/.test(event.detail))).toBe(true);
  }, 120_000);
});
