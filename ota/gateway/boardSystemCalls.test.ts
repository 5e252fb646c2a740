import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import { BoardSystemCalls } from '../../kernel-js/agent/BoardSystemCalls.js';
import type { KernelFragment } from '../../kernel-js/boot/KernelImage.js';
import { connectGatewayRpc, RemoteError, serveGatewayRpc, type Hello, type SessionRemote } from '../../kernel-js/net/gatewayRpc.js';
import { makeTlsFixture, type TlsFixture } from '../../test/tlsFixtures.js';
import { boardSystemCalls } from './boardSystemCalls.js';
import type { GrantSource } from './checkGrant.js';
import { PresenceDirectory } from './PresenceDirectory.js';

// The gateway's decisions on system calls, over the real link: a gateway that serves
// boardSystemCalls for the board its client certificate names, and boards that hold the
// agent's BoardSystemCalls, over mutual TLS 1.3 on loopback. The build is a plan given here
// and swapped for a newer one to take grants away.

type Grants = Readonly<Record<string, string>>;

function fragment(instance: string, board: string, grants: readonly string[]): BuildPlan['fragments'][number] {
  const reasons: Record<string, unknown> = { clock: 'always', log: 'always', config: 'always' };
  for (const capability of grants) reasons[capability] = { rule: 0 };
  return { instance, app: instance.split('@')[0] ?? '', board, grants: reasons as Grants } as unknown as BuildPlan['fragments'][number];
}

function build(commit: string, heatingGrants: readonly string[]): GrantSource {
  const plan = {
    policies: { file: 'policies.yaml', default: 'deny' },
    boards: [
      { id: 'meeting-1-heating', space: ['ground', 'meeting-1'] },
      { id: 'meeting-1-door', space: ['ground', 'meeting-1'] },
      { id: 'meeting-2-heating', space: ['ground', 'meeting-2'] },
    ],
    fragments: [fragment('heating@meeting-1-heating', 'meeting-1-heating', heatingGrants), fragment('lights@meeting-1-door', 'meeting-1-door', ['gpio']), fragment('heating@meeting-2-heating', 'meeting-2-heating', ['gpio', 'presence'])],
  } as unknown as BuildPlan;
  return { commit, plan };
}

const first = build('1'.repeat(40), ['gpio', 'presence', 'network.external']);
const heating: KernelFragment = { instance: 'heating@meeting-1-heating', app: 'heating', bindings: {}, capabilities: ['gpio', 'presence', 'network.external', 'clock', 'log', 'config'] };
/** What a board claims: a lights fragment whose configuration says it has presence, which the build never granted. */
const lyingLights: KernelFragment = { instance: 'lights@meeting-1-door', app: 'lights', bindings: {}, capabilities: ['gpio', 'presence', 'log'] };

const ada = { handle: 7, destination: 'meeting-1', publicKey: new Uint8Array([7, 7, 7]) };
const bob = { handle: 8, destination: '', publicKey: new Uint8Array() };

let tls: TlsFixture;
let web: HttpServer;
let webUrl: string;
const servers: Server[] = [];

beforeAll(async () => {
  tls = await makeTlsFixture();
  web = createHttpServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    if (request.url === '/endless') {
      // No length announced: the gateway finds out as the bytes come, and stops reading.
      const timer = setInterval(() => response.write('y'.repeat(400)), 1);
      response.on('close', () => clearInterval(timer));
      return;
    }
    response.end(request.url === '/big' ? 'x'.repeat(5_000) : 'forecast: ☀');
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(() => {
  web.close();
  for (const server of servers) server.close();
});

interface TestGateway {
  readonly presence: PresenceDirectory;
  readonly lines: string[];
  /** The build the gateway serves; set it to a newer one to take grants away. */
  current: GrantSource;
  connect(board: string): Promise<{ session: SessionRemote; close(): void }>;
}

/** A gateway like ota/gateway/Gateway's: the board is who its certificate says, its system calls boardSystemCalls's. */
async function gateway(): Promise<TestGateway> {
  const lines: string[] = [];
  const presence = new PresenceDirectory();
  const state = { current: first };
  const server = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (socket: TLSSocket) => {
    const board = String(socket.getPeerCertificate().subject.CN);
    const services = boardSystemCalls({ board, build: () => state.current, presence, onLog: (line) => lines.push(line), fetchLimits: { maxBytes: 1_000, timeoutMs: 5_000 } });
    serveGatewayRpc(socket, { enrol: () => Promise.resolve({ heartbeat: (h) => Promise.resolve({ sequence: h.sequence, intervalMs: 1_000 }), report: () => Promise.resolve(), ...services.calls }) }, { onClose: () => services.close() });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    presence,
    lines,
    get current() {
      return state.current;
    },
    set current(value: GrantSource) {
      state.current = value;
    },
    connect: async (board) => {
      const identity = await tls.client(board);
      const socket = connect({ host: '127.0.0.1', port, ca: tls.ca, key: identity.key, cert: identity.cert, servername: 'localhost', minVersion: 'TLSv1.3' });
      await once(socket, 'secureConnect');
      const hello: Hello = { board, type: 'sim', image: 'i', version: 1, slot: 'a', confirmed: true, agentState: 'idle', shim: 'kernel-js' };
      return connectGatewayRpc(socket, hello, { offer: () => Promise.resolve({ accepted: false, reason: '' }), commit: () => Promise.resolve(), revert: () => Promise.resolve({ reverted: false, reason: '' }) });
    },
  };
}

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!probe()) throw new Error(`never happened: ${what}`);
}

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('the gateway’s system calls', () => {
  it('feeds a granted board’s presence from its own space: those present first, then each change, and never another space', async () => {
    const gw = await gateway();
    gw.presence.set('meeting-1', [bob]);
    const rpc = await gw.connect('meeting-1-heating');
    const calls = new BoardSystemCalls();
    const seen: string[] = [];
    calls.presence.onChange(({ person, arrived, present }) => seen.push(`${arrived ? '+' : '-'}${person}=${present}`));
    expect(await calls.attach(rpc.session, [heating])).toEqual({ held: ['heating@meeting-1-heating:log', 'heating@meeting-1-heating:network.external', 'heating@meeting-1-heating:presence'], refused: [] });
    await until('bob reaches the board', () => seen.length === 1);
    gw.presence.arrive('meeting-1', ada);
    gw.presence.arrive('meeting-2', { handle: 99, destination: 'meeting-2', publicKey: new Uint8Array([9]) });
    gw.presence.leave('meeting-1', 8);
    await until('ada and bob’s departure reach the board', () => seen.length === 3);
    expect(seen).toEqual(['+8=1', '+7=2', '-8=1']);
    expect(calls.presence.people()).toEqual([7]);
    expect(calls.presence.destination(7)).toBe('meeting-1');
    expect(calls.presence.publicKey(7)).toEqual(new Uint8Array([7, 7, 7]));
    // The link goes: everyone leaves the board's copy.
    calls.detach();
    expect(calls.presence.people()).toEqual([]);
    expect(seen.at(-1)).toBe('-7=0');
    rpc.close();
  });

  it('tells a board who is expected in its space, after those present, with their preferences, and only when it asked', async () => {
    const gw = await gateway();
    gw.presence.set('meeting-1', [bob]);
    gw.presence.expect('meeting-1', { ...ada, preferences: { temperature: 23 } });
    gw.presence.expect('meeting-2', { handle: 99, destination: 'meeting-2', publicKey: new Uint8Array() });
    const rpc = await gw.connect('meeting-1-heating');
    const calls = new BoardSystemCalls();
    const seen: string[] = [];
    calls.presence.onChange(({ person, arrived, coming, present, expected }) => seen.push(`${coming ? (arrived ? '>' : '<') : arrived ? '+' : '-'}${person}=${present}/${expected}`));
    await calls.attach(rpc.session, [heating]);
    await until('bob and ada reach the board', () => seen.length === 2);
    expect(seen).toEqual(['+8=1/0', '>7=1/1']);
    expect(calls.presence.expected()).toEqual([7]);
    expect(calls.presence.preference(7, 'temperature')).toBe(230);
    // Ada walks in: the arrival, then the end of her expectation; bob goes elsewhere.
    gw.presence.arrive('meeting-1', { ...ada, preferences: { temperature: 23 } });
    gw.presence.leave('meeting-1', bob.handle);
    await until('the changes reach the board', () => seen.length === 5);
    expect(seen.slice(2)).toEqual(['+7=2/1', '<7=2/0', '-8=1/0']);
    expect(calls.presence.preference(7, 'temperature')).toBe(230);

    // A watch that did not ask (a board from before expectations) hears arrivals and departures only.
    const older: string[] = [];
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    gw.presence.expect('meeting-1', { handle: 5, destination: 'meeting-1', publicKey: new Uint8Array() });
    await presence.watch({ changed: (change) => (older.push(`${change.coming === true ? 'coming ' : ''}${change.arrived ? '+' : '-'}${change.person.handle}`), Promise.resolve(true)), ended: () => Promise.resolve() });
    gw.presence.unexpect('meeting-1', 5);
    gw.presence.arrive('meeting-1', { handle: 6, destination: '', publicKey: new Uint8Array() });
    await until('the arrival reaches the older watch', () => older.length === 2);
    expect(older).toEqual(['+7', '+6']);
    rpc.close();
  });

  it('forwards a fragment’s warnings and errors to the gateway’s log, one line each, and not its chatter', async () => {
    const gw = await gateway();
    const rpc = await gw.connect('meeting-1-heating');
    const calls = new BoardSystemCalls();
    await calls.attach(rpc.session, [heating]);
    calls.log('heating@meeting-1-heating', 1, 'heater on');
    calls.log('heating@meeting-1-heating', 3, 'relay stuck\nfake gateway line');
    calls.log('lights@meeting-1-door', 3, 'not this board’s fragment: no sink');
    await until('the error reaches the gateway', () => gw.lines.length > 0);
    await (await rpc.session.log('heating@meeting-1-heating')).write(2, 'a');
    expect(gw.lines).toEqual(['meeting-1-heating heating@meeting-1-heating: error: relay stuck fake gateway line', 'meeting-1-heating heating@meeting-1-heating: warn: a']);
    rpc.close();
  });

  it('refuses a capability the policy does not grant, another board’s fragment and an unknown one, naming board, fragment and capability', async () => {
    const gw = await gateway();
    const door = await gw.connect('meeting-1-door');
    const notGranted = await failure(door.session.presence('lights@meeting-1-door'));
    expect(notGranted).toMatchObject({ code: 'rpc.capability-denied', data: { board: 'meeting-1-door', fragment: 'lights@meeting-1-door', capability: 'presence', reason: 'not-granted' } });
    expect(notGranted.message).toBe('build 111111111111 does not grant presence to lights@meeting-1-door on meeting-1-door');
    expect(notGranted.hint).toBe('grant it in policies.yaml (a rule for app lights that allows presence), then osmose build and osmose rollout');
    expect(await failure(door.session.network('lights@meeting-1-door'))).toMatchObject({ code: 'rpc.capability-denied', data: { capability: 'network.external', reason: 'not-granted' } });
    // Another board's fragment, even one granted presence there.
    expect(await failure(door.session.presence('heating@meeting-1-heating'))).toMatchObject({ code: 'rpc.capability-denied', data: { board: 'meeting-1-door', fragment: 'heating@meeting-1-heating', reason: 'not-on-board' } });
    expect(await failure(door.session.log('heating@meeting-2-heating'))).toMatchObject({ code: 'rpc.capability-denied', data: { reason: 'not-on-board' } });
    expect(await failure(door.session.log('ghost@meeting-1-door'))).toMatchObject({ code: 'rpc.capability-denied', data: { reason: 'no-fragment' } });
    // A board whose configuration claims presence gets nothing more for it: the gateway's build decides.
    const calls = new BoardSystemCalls();
    gw.presence.set('meeting-1', [ada]);
    const state = await calls.attach(door.session, [lyingLights]);
    expect(state.held).toEqual(['lights@meeting-1-door:log']);
    expect(state.refused).toEqual([{ fragment: 'lights@meeting-1-door', capability: 'presence', code: 'rpc.capability-denied', message: 'build 111111111111 does not grant presence to lights@meeting-1-door on meeting-1-door' }]);
    expect(calls.presence.people()).toEqual([]);
    expect(gw.lines.filter((line) => line.startsWith('refused'))).toHaveLength(6);
    door.close();
  });

  it('makes a GET for a fragment granted network.external, within the cap', async () => {
    const gw = await gateway();
    const rpc = await gw.connect('meeting-1-heating');
    const network = await rpc.session.network('heating@meeting-1-heating');
    const answer = await network.fetch(`${webUrl}/forecast`);
    expect({ status: answer.status, contentType: answer.contentType, body: new TextDecoder().decode(answer.body) }).toEqual({ status: 200, contentType: 'text/plain', body: 'forecast: ☀' });
    expect(gw.lines).toContain(`meeting-1-heating heating@meeting-1-heating: GET ${webUrl}/forecast: 200, 13 bytes`);
    expect(await failure(network.fetch(`${webUrl}/big`))).toMatchObject({ code: 'network.too-large', data: { maxBytes: 1_000 } });
    expect(await failure(network.fetch(`${webUrl}/endless`))).toMatchObject({ code: 'network.too-large', data: { maxBytes: 1_000 } });
    expect(await failure(network.fetch('file:///etc/passwd'))).toMatchObject({ code: 'network.bad-url' });
    const closed = `http://127.0.0.1:${await freePort()}/`;
    expect(await failure(network.fetch(closed))).toMatchObject({ code: 'network.failed' });
    rpc.close();
  });

  it('voids references whose grant a newer build took away: calls fail, and a presence watch is ended and emptied', async () => {
    const gw = await gateway();
    const rpc = await gw.connect('meeting-1-heating');
    const calls = new BoardSystemCalls();
    gw.presence.set('meeting-1', [ada]);
    await calls.attach(rpc.session, [heating]);
    await until('ada reaches the board', () => calls.presence.people().length === 1);
    const network = calls.network('heating@meeting-1-heating');
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    expect((await network?.fetch(`${webUrl}/forecast`))?.status).toBe(200);

    gw.current = build('2'.repeat(40), ['gpio']);
    const revoked = await failure(network?.fetch(`${webUrl}/forecast`) ?? Promise.resolve());
    expect(revoked).toMatchObject({ code: 'rpc.capability-revoked', data: { board: 'meeting-1-heating', fragment: 'heating@meeting-1-heating', capability: 'network.external', build: '2'.repeat(40), reason: 'not-granted' } });
    expect(revoked.message).toContain('build 222222222222 does not grant network.external');
    expect(await failure(presence.people())).toMatchObject({ code: 'rpc.capability-revoked', data: { capability: 'presence' } });
    expect(await failure(rpc.session.presence('heating@meeting-1-heating'))).toMatchObject({ code: 'rpc.capability-denied' });
    // The watch learns at the next change: the board's copy is emptied, and no later change reaches it.
    gw.presence.arrive('meeting-1', bob);
    await until('the watch is ended', () => calls.presence.people().length === 0);
    gw.presence.arrive('meeting-1', { handle: 9, destination: '', publicKey: new Uint8Array() });
    await (await rpc.session.log('heating@meeting-1-heating')).write(2, 'still here');
    expect(calls.presence.people()).toEqual([]);
    // Granted again by a later build, a new reference works.
    gw.current = first;
    expect((await (await rpc.session.network('heating@meeting-1-heating')).fetch(`${webUrl}/forecast`)).status).toBe(200);
    rpc.close();
  });

  it('voids every reference of a session once it has ended', async () => {
    const presence = new PresenceDirectory();
    const services = boardSystemCalls({ board: 'meeting-1-heating', build: () => first, presence, onLog: () => undefined });
    const held = await services.calls.presence('heating@meeting-1-heating');
    const told: boolean[] = [];
    await held.watch({ changed: (change) => (told.push(change.arrived), Promise.resolve(true)), ended: () => Promise.resolve() });
    presence.arrive('meeting-1', ada);
    services.close();
    presence.leave('meeting-1', ada.handle);
    expect(told).toEqual([true]);
    await expect(held.people()).rejects.toMatchObject({ code: 'rpc.capability-revoked', data: { reason: 'session-ended' } });
  });
});

async function freePort(): Promise<number> {
  const probe = createHttpServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
