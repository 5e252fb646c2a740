import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardCredentials } from '../image/diskImage/writeBoardCredentials.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { gatewayServerName, readAgentCredentials } from '../kernel-js/agent/agentCredentials.js';
import type { BoardAgent } from '../kernel-js/agent/BoardAgent.js';
import { connectGatewayRpc, RemoteError } from '../kernel-js/net/gatewayRpc.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import { gatewayControlSocket, serveGatewayControl } from '../ota/gateway/gatewayControlServer.js';
import { gatewayRequest } from '../ota/gateway/gatewayRequest.js';

// The system calls of a real building: the coworking template with its heating app also
// granted network.external, built, served by the gateway, and meeting-1's heating board
// booted under its update agent over mutual TLS. Presence told to the gateway's control
// socket reaches the board's KernelPresence and its unikernel, and so do the people expected
// there with their preferences (the heating aims at the temperature they prefer before they
// arrive); the door board, whose lights app is granted presence but not the network, sees its
// own space, is refused the network, and refused the heating board's fragment; erasing a
// person asks every board that keeps recordings, over its session, and refuses while one is
// away; the next build takes network.external away and the reference the board held stops
// working.

let parent: string;
let root: string;
let gateway: Gateway;
let control: { close(done: () => void): void };
let building: SimBuilding;
let web: HttpServer;
let webUrl: string;
const gatewayLog: string[] = [];
const epoch = Math.floor(Date.now() / 1000);

const heatingBoard = 'meeting-1-heating';
const heating = `heating@${heatingBoard}`;
/** The unikernels' log lines, as `board instance: message`. */
const boardLog: string[] = [];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function agent(): BoardAgent {
  const found = building.agent(heatingBoard);
  if (found === undefined) throw new Error('the heating board runs without its agent');
  return found;
}

async function policies(heatingAllows: string): Promise<void> {
  const file = join(root, 'policies.yaml');
  const text = await readFile(file, 'utf8');
  const rule = /- app: heating\n {4}allow: \[[^\]]*\]/;
  expect(text).toMatch(rule);
  await writeFile(file, text.replace(rule, `- app: heating\n    allow: [${heatingAllows}]`));
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-syscalls-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await policies('gpio, presence, network.external');
  await buildBuilding({ root, timestamp: epoch - 60 });
  web = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"outside":-3}');
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/weather`;
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 40, tickMs: 40, onLog: (line) => gatewayLog.push(line) });
  control = await serveGatewayControl(gateway, gatewayControlSocket(root));
  building = await SimBuilding.start(root, {
    boardsDir: join(parent, 'boards'),
    only: (board) => board === heatingBoard,
    onLog: (board, instance, _level, message) => boardLog.push(`${board} ${instance}: ${message}`),
    agents: {
      gateway: gateway.address(),
      credentials: (board, dir) => writeBoardCredentials(root, board, dir, epoch),
      heartbeatMs: 40,
      health: { heartbeats: 2, timeoutMs: 10_000 },
      reconnect: { baseMs: 20, maxMs: 200 },
    },
  });
  await until('the heating board to enrol', () => (agent().connected ? true : undefined));
}, 120_000);

afterAll(async () => {
  await building?.close();
  await new Promise<void>((done) => (control === undefined ? done() : control.close(() => done())));
  await gateway?.close();
  web?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('system calls in a real building', () => {
  it('takes presence told to the gateway to the board’s KernelPresence and its unikernel, for its own space only', async () => {
    const state = await agent().systemCalls.attached();
    expect(state).toEqual({ held: [`${heating}:log`, `${heating}:network.external`, `${heating}:presence`], refused: [] });
    const changes: string[] = [];
    // `~` marks a change of who is expected.
    agent().systemCalls.presence.onChange(({ person, arrived, coming, present }) => changes.push(`${coming ? '~' : ''}${arrived ? '+' : '-'}${person}=${present}`));

    // Another space's people never reach this board.
    await gatewayRequest(root, 'POST', '/presence/meeting-2', { people: [{ handle: 5, destination: 'meeting-2' }] });
    const key = Buffer.from('a visitor’s public key for this visit').toString('base64');
    const told = await gatewayRequest<{ people: unknown[] }>(root, 'POST', '/presence/meeting-1', { people: [{ handle: 41, destination: 'meeting-1', publicKey: key }] });
    expect(told.people).toEqual([{ handle: 41, destination: 'meeting-1', publicKey: key }]);
    await until('the arrival to reach the board', () => (changes.length > 0 ? true : undefined));
    expect(changes).toEqual(['+41=1']);
    expect(agent().systemCalls.presence.destination(41)).toBe('meeting-1');
    expect(Buffer.from(agent().systemCalls.presence.publicKey(41) ?? []).toString('base64')).toBe(key);
    // The heating unikernel heard the arrival through its presence module: comfort at once.
    await until('the heater to come on', () => (building.get(heatingBoard, 'heater') as { level?: number }).level === 1 || undefined);

    await gatewayRequest(root, 'DELETE', '/presence/meeting-1');
    await until('the departure to reach the board', () => (changes.length === 2 ? true : undefined));
    expect(changes).toEqual(['+41=1', '-41=0']);
    expect(await gatewayRequest(root, 'GET', '/presence')).toEqual({ spaces: { 'meeting-2': [{ handle: 5, destination: 'meeting-2', publicKey: '' }] } });

    // Someone on their way to meeting-1, who likes it warm: the board is told before they
    // arrive, and its heating aims at what they prefer.
    gateway.presence.expect('meeting-1', { handle: 42, destination: 'meeting-1', publicKey: new Uint8Array(), preferences: { temperature: 23 } });
    gateway.presence.expect('meeting-2', { handle: 43, destination: 'meeting-2', publicKey: new Uint8Array(), preferences: { temperature: 30 } });
    await until('the expectation to reach the board', () => (agent().systemCalls.presence.expected().includes(42) ? true : undefined));
    expect(agent().systemCalls.presence.expected()).toEqual([42]);
    expect(agent().systemCalls.presence.preference(42, 'temperature')).toBe(230);
    await until('the heating to aim at 23 °C', () => (boardLog.includes(`${heatingBoard} ${heating}: meeting-1: comfort 23.0 °C for 1 person`) ? true : undefined));
    expect((building.get(heatingBoard, 'heater') as { level?: number }).level).toBe(1);
    gateway.presence.unexpect('meeting-1', 42);
    await until('the end of the expectation to reach the board', () => (agent().systemCalls.presence.expected().length === 0 ? true : undefined));
    expect(changes).toEqual(['+41=1', '-41=0', '~+42=0', '~-42=0']);
    await expect(gatewayRequest(root, 'POST', '/presence/meeting-9', { people: [] })).rejects.toMatchObject({ code: 'presence.unknown-space' });
    await expect(gatewayRequest(root, 'POST', '/presence/meeting-1', { people: [{ handle: 0 }] })).rejects.toMatchObject({ code: 'presence.bad-person' });
  });

  it('gives the door board’s lights its own space’s presence, and refuses it the network its policy does not grant, and the heating board’s fragment', async () => {
    const door = 'meeting-1-door';
    const dir = join(parent, 'door');
    await mkdir(dir, { recursive: true });
    await writeBoardCredentials(root, door, dir, epoch);
    // A board imaged since the gateway last read the identities (it reads them again at most once a second).
    await gateway.reloadIdentities();
    const credentials = readAgentCredentials(dir);
    const lights = gateway.fleet.build.plan.fragments.find((fragment) => fragment.board === door)?.instance ?? '';
    expect(lights).toBe(`lights@${door}`);
    const socket = connect({ host: '127.0.0.1', port: gateway.address().port, ...credentials, servername: gatewayServerName, minVersion: 'TLSv1.3', ALPNProtocols: ['osmose-rpc'] });
    await once(socket, 'secureConnect');
    const rpc = await connectGatewayRpc(socket, { board: door, type: 'sim', image: '', version: 0, slot: 'a', confirmed: true, agentState: 'idle', shim: 'kernel-js' }, {
      offer: () => Promise.resolve({ accepted: false, reason: 'a test connection' }),
      commit: () => Promise.resolve(),
      revert: () => Promise.resolve({ reverted: false, reason: '' }),
    });
    try {
      gateway.presence.set('meeting-1', [{ handle: 44, destination: '', publicKey: new Uint8Array() }]);
      expect((await (await rpc.session.presence(lights)).people()).map((person) => person.handle)).toEqual([44]);
      gateway.presence.clear('meeting-1');
      const denied = await rpc.session.network(lights).catch((error: unknown) => error);
      expect(denied).toBeInstanceOf(RemoteError);
      expect(denied).toMatchObject({ code: 'rpc.capability-denied', data: { board: door, fragment: lights, capability: 'network.external', reason: 'not-granted' } });
      expect((denied as RemoteError).hint).toContain('policies.yaml');
      await expect(rpc.session.presence(heating)).rejects.toMatchObject({ code: 'rpc.capability-denied', data: { fragment: heating, reason: 'not-on-board' } });
      await expect(rpc.session.network(heating)).rejects.toMatchObject({ code: 'rpc.capability-denied', data: { reason: 'not-on-board' } });
      // Its own log is every fragment's.
      await (await rpc.session.log(lights)).write(3, 'the lamp did not answer');
      expect(gatewayLog).toContain(`${door} ${lights}: error: the lamp did not answer`);
      expect(gatewayLog.some((line) => line.startsWith(`refused network.external to ${lights} on ${door}`))).toBe(true);
    } finally {
      rpc.close();
    }
  });

  it('erases a person on every board that keeps recordings, over their sessions, and refuses while one is away', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    await expect(gateway.fleet.eraseMember(key)).rejects.toMatchObject({ code: 'erase.board-offline', data: { offline: ['meeting-1-table', 'meeting-2-table'] } });
    await expect(gateway.fleet.eraseMember(key.subarray(1))).rejects.toMatchObject({ code: 'erase.bad-key' });

    // meeting-1's table under its own update agent, which erases from its data directory;
    // meeting-2's as a bare session that says what it removed.
    const table = await SimBuilding.start(root, {
      boardsDir: join(parent, 'table-boards'),
      only: (board) => board === 'meeting-1-table',
      agents: {
        gateway: gateway.address(),
        credentials: (board, dir) => writeBoardCredentials(root, board, dir, epoch),
        heartbeatMs: 40,
        health: { heartbeats: 2, timeoutMs: 10_000 },
        reconnect: { baseMs: 20, maxMs: 200 },
      },
    });
    const dir = join(parent, 'meeting-2-table');
    await mkdir(dir, { recursive: true });
    await writeBoardCredentials(root, 'meeting-2-table', dir, epoch);
    await gateway.reloadIdentities();
    const socket = connect({ host: '127.0.0.1', port: gateway.address().port, ...readAgentCredentials(dir), servername: gatewayServerName, minVersion: 'TLSv1.3', ALPNProtocols: ['osmose-rpc'] });
    await once(socket, 'secureConnect');
    const asked: Uint8Array[] = [];
    const rpc = await connectGatewayRpc(socket, { board: 'meeting-2-table', type: 'sim', image: '', version: 0, slot: 'a', confirmed: true, agentState: 'idle', shim: 'kernel-js' }, {
      offer: () => Promise.resolve({ accepted: false, reason: 'a test connection' }),
      commit: () => Promise.resolve(),
      revert: () => Promise.resolve({ reverted: false, reason: '' }),
      erase: (publicKey) => (asked.push(publicKey), Promise.resolve({ epochsRemoved: 1, membershipsRemoved: 2, activityRemoved: 2, bytesRemoved: 4_096 })),
    });
    try {
      await until('meeting-1-table to enrol', () => (table.agent('meeting-1-table')?.connected === true ? true : undefined));
      expect(await gateway.fleet.eraseMember(key)).toEqual([
        { board: 'meeting-1-table', epochsRemoved: 0, membershipsRemoved: 0, activityRemoved: 0, bytesRemoved: 0 },
        { board: 'meeting-2-table', epochsRemoved: 1, membershipsRemoved: 2, activityRemoved: 2, bytesRemoved: 4_096 },
      ]);
      expect(asked).toEqual([key]);
      expect(gatewayLog).toContain('erased a person from 2 of 2 boards that keep recordings');
    } finally {
      rpc.close();
      await table.close();
    }
  }, 60_000);

  it('fetches for the fragment granted network.external, until the next build takes the grant away', async () => {
    const network = agent().systemCalls.network(heating);
    expect(network).toBeDefined();
    const answer = await network?.fetch(webUrl);
    expect({ status: answer?.status, body: new TextDecoder().decode(answer?.body) }).toEqual({ status: 200, body: '{"outside":-3}' });

    await policies('gpio, presence');
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    await gateway.fleet.startRollout({ waves: [{ percent: 100 }], maxFailures: { count: 0 }, windows: [], healthTimeoutMs: 20_000 });
    const revoked = await network?.fetch(webUrl).catch((error: unknown) => error);
    expect(revoked).toBeInstanceOf(RemoteError);
    expect(revoked).toMatchObject({ code: 'rpc.capability-revoked', data: { board: heatingBoard, fragment: heating, capability: 'network.external', build: gateway.fleet.build.commit } });

    // The board takes the new build (its configuration changed), and holds only what it grants.
    const target = gateway.fleet.build.rolloutTargets().find((entry) => entry.board === heatingBoard)?.image;
    const running = (): string | undefined => {
      try {
        return agent().board.choice.slot?.manifest.signed.image;
      } catch {
        return undefined; // between two boots
      }
    };
    await until('the heating board to run the new build', () => (running() === target && agent().state === 'idle' ? true : undefined), 60_000);
    expect(await agent().systemCalls.attached()).toEqual({ held: [`${heating}:log`, `${heating}:presence`], refused: [] });
    expect(agent().systemCalls.network(heating)).toBeUndefined();
  }, 90_000);
});
