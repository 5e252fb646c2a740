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
// socket reaches the board's KernelPresence and its unikernel; the door board, whose lights
// app is granted neither presence nor the network, is refused both, and refused the heating
// board's fragment; the next build takes network.external away and the reference the board
// held stops working.

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
    agent().systemCalls.presence.onChange(({ person, arrived, present }) => changes.push(`${arrived ? '+' : '-'}${person}=${present}`));

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
    await expect(gatewayRequest(root, 'POST', '/presence/meeting-9', { people: [] })).rejects.toMatchObject({ code: 'presence.unknown-space' });
    await expect(gatewayRequest(root, 'POST', '/presence/meeting-1', { people: [{ handle: 0 }] })).rejects.toMatchObject({ code: 'presence.bad-person' });
  });

  it('refuses the door board presence and the network its policy does not grant, and the heating board’s fragment', async () => {
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
      const denied = await rpc.session.presence(lights).catch((error: unknown) => error);
      expect(denied).toBeInstanceOf(RemoteError);
      expect(denied).toMatchObject({ code: 'rpc.capability-denied', data: { board: door, fragment: lights, capability: 'presence', reason: 'not-granted' } });
      expect((denied as RemoteError).hint).toContain('policies.yaml');
      await expect(rpc.session.network(lights)).rejects.toMatchObject({ code: 'rpc.capability-denied', data: { capability: 'network.external' } });
      await expect(rpc.session.presence(heating)).rejects.toMatchObject({ code: 'rpc.capability-denied', data: { fragment: heating, reason: 'not-on-board' } });
      await expect(rpc.session.network(heating)).rejects.toMatchObject({ code: 'rpc.capability-denied', data: { reason: 'not-on-board' } });
      // Its own log is every fragment's.
      await (await rpc.session.log(lights)).write(3, 'the lamp did not answer');
      expect(gatewayLog).toContain(`${door} ${lights}: error: the lamp did not answer`);
      expect(gatewayLog.some((line) => line.startsWith(`refused presence to ${lights} on ${door}`))).toBe(true);
    } finally {
      rpc.close();
    }
  });

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
