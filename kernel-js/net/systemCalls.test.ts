import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { makeTlsFixture, type TlsFixture, type TlsIdentity } from '../../test/tlsFixtures.js';
import {
  connectGatewayRpc,
  RemoteError,
  RpcError,
  serveGatewayRpc,
  type AdmitRequest,
  type BoardHandlers,
  type Hello,
  type PresenceChange,
  type PresenceListenerHandlers,
  type PresentPerson,
  type SessionHandlers,
  type SystemCallHandlers,
} from './gatewayRpc.js';

// The system calls as capabilities over the real link (TLS 1.3, capnp-es): what the gateway's
// getters hand out arrives as a reference the board calls, a listener the board passes comes
// back as one the gateway calls, and refusals keep their code. The gateway's policy decisions
// are ota/gateway's and tested there; here the handlers are plain.

const hello: Hello = { board: 'meeting-1-heating', type: 'sim', image: 'heat-1', version: 1, slot: 'a', confirmed: true, agentState: 'idle', shim: 'kernel-js' };
const idleBoard: BoardHandlers = {
  offer: () => Promise.resolve({ accepted: false, reason: 'not now' }),
  commit: () => Promise.resolve(),
  revert: () => Promise.resolve({ reverted: false, reason: '' }),
};
const ada: PresentPerson = { handle: 7, destination: 'meeting-1', publicKey: new Uint8Array([1, 2, 3, 250]) };
const bob: PresentPerson = { handle: 2_147_483_647, destination: '', publicKey: new Uint8Array() };

let tls: TlsFixture;
let identity: TlsIdentity;
const servers: Server[] = [];

beforeAll(async () => {
  tls = await makeTlsFixture();
  identity = await tls.client('meeting-1-heating');
});
afterAll(() => {
  for (const server of servers) server.close();
});

/** Serves `session` to every board that enrols, over mutual TLS on 127.0.0.1; answers the port and the accepted sockets. */
async function serve(session: SessionHandlers): Promise<{ port: number; sockets: TLSSocket[] }> {
  const sockets: TLSSocket[] = [];
  const server = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.push(socket);
    serveGatewayRpc(socket, { enrol: () => Promise.resolve(session) });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, sockets };
}

async function enrol(port: number): ReturnType<typeof connectGatewayRpc> {
  const socket = connect({ host: '127.0.0.1', port, ca: tls.ca, key: identity.key, cert: identity.cert, servername: 'localhost', minVersion: 'TLSv1.3' });
  await once(socket, 'secureConnect');
  return connectGatewayRpc(socket, hello, idleBoard);
}

const beats: Pick<SessionHandlers, 'heartbeat' | 'report'> = {
  heartbeat: (health) => Promise.resolve({ sequence: health.sequence, intervalMs: 1_000 }),
  report: () => Promise.resolve(),
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** A listener that keeps every change and `ended` reason, and answers `keep` to each change. */
function recordingListener(keep: () => boolean): PresenceListenerHandlers & { changes: PresenceChange[]; ends: string[] } {
  const listener = {
    changes: [] as PresenceChange[],
    ends: [] as string[],
    changed: (change: PresenceChange) => {
      listener.changes.push(change);
      return Promise.resolve(keep());
    },
    ended: (reason: string) => {
      listener.ends.push(reason);
      return Promise.resolve();
    },
  };
  return listener;
}

describe('system calls over the gateway link', () => {
  it('hands out presence as a reference: people with every field, and a watch whose listener the gateway calls back', async () => {
    const asked: string[] = [];
    const answers: boolean[] = [];
    let pushTo: PresenceListenerHandlers | undefined;
    const calls: SystemCallHandlers = {
      presence: (fragment) => {
        asked.push(fragment);
        return Promise.resolve({
          people: () => Promise.resolve([ada, bob]),
          watch: (listener) => {
            pushTo = listener;
            return Promise.resolve();
          },
        });
      },
      log: () => Promise.reject(new Error('unused')),
      network: () => Promise.reject(new Error('unused')),
    };
    const { port } = await serve({ ...beats, ...calls });
    const rpc = await enrol(port);
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    expect(asked).toEqual(['heating@meeting-1-heating']);
    expect(await presence.people()).toEqual([ada, bob]);

    let kept = 2;
    const listener = recordingListener(() => kept-- > 0);
    await presence.watch(listener);
    expect(pushTo).toBeDefined();
    // The gateway pushes without waiting; the board sees the changes in the order sent.
    const sent = [
      pushTo?.changed({ person: ada, arrived: true }),
      pushTo?.changed({ person: bob, arrived: true }),
      pushTo?.changed({ person: { handle: 7, destination: '', publicKey: new Uint8Array() }, arrived: false }),
    ];
    for (const answer of sent) answers.push((await answer) ?? true);
    expect(listener.changes).toEqual([
      { person: ada, arrived: true },
      { person: bob, arrived: true },
      { person: { handle: 7, destination: '', publicKey: new Uint8Array() }, arrived: false },
    ]);
    // The listener's answer travels back: the third change was one too many for it.
    expect(answers).toEqual([true, true, false]);
    await pushTo?.ended('the grant was taken away');
    expect(listener.ends).toEqual(['the grant was taken away']);
    rpc.close();
  });

  it('carries preferences and expectations, and says whether the board asked to be told who is expected', async () => {
    const cyd: PresentPerson = { handle: 12, destination: 'meeting-1', publicKey: new Uint8Array([5]), preferences: { temperature: 22.5 } };
    const watches: { listener: PresenceListenerHandlers; expected: boolean | undefined }[] = [];
    const { port } = await serve({
      ...beats,
      presence: () =>
        Promise.resolve({
          people: () => Promise.resolve([cyd, { ...bob, preferences: { temperature: 19.04 } }]),
          watch: (listener, options) => {
            watches.push({ listener, expected: options?.expected });
            return Promise.resolve();
          },
        }),
    });
    const rpc = await enrol(port);
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    // Tenths of a degree on the wire: finer steps are rounded.
    expect(await presence.people()).toEqual([cyd, { ...bob, preferences: { temperature: 19 } }]);

    const listener = recordingListener(() => true);
    await presence.watch(listener, { expected: true });
    await presence.watch(recordingListener(() => true));
    expect(watches.map((watch) => watch.expected)).toEqual([true, false]);
    await watches[0]?.listener.changed({ person: cyd, arrived: true, coming: true });
    await watches[0]?.listener.changed({ person: { handle: 12, destination: '', publicKey: new Uint8Array() }, arrived: false, coming: true });
    await watches[0]?.listener.changed({ person: bob, arrived: true });
    expect(listener.changes).toEqual([
      { person: cyd, arrived: true, coming: true },
      { person: { handle: 12, destination: '', publicKey: new Uint8Array() }, arrived: false, coming: true },
      { person: bob, arrived: true },
    ]);
    // A preference the wire cannot carry is refused before anything is written.
    await expect(watches[0]?.listener.changed({ person: { ...bob, preferences: { temperature: -3 } }, arrived: true })).rejects.toMatchObject({
      code: 'rpc.bad-field',
      message: expect.stringContaining('PresenceChange.person.preferences.temperature') as unknown,
    });
    rpc.close();
  });

  it('carries a log line and a fetch with a binary body; a refusal keeps its code, hint and data', async () => {
    const lines: [string, number, string][] = [];
    const body = new Uint8Array(300_000).map((_, i) => (i * 31) % 256);
    const calls: SystemCallHandlers = {
      presence: (fragment) =>
        Promise.reject(new OsmoseError('rpc.capability-denied', `${fragment} is not granted presence`, { hint: 'grant it in policies.yaml, then osmose build and osmose rollout', data: { board: hello.board, fragment, capability: 'presence' } })),
      log: (fragment) =>
        Promise.resolve({
          write: (level, message) => {
            lines.push([fragment, level, message]);
            return Promise.resolve();
          },
        }),
      network: () =>
        Promise.resolve({
          fetch: (url) => (url.endsWith('/big') ? Promise.reject(new OsmoseError('network.too-large', `${url} answered more than 1 MiB`)) : Promise.resolve({ status: 203, contentType: 'application/octet-stream', body })),
        }),
    };
    const { port } = await serve({ ...beats, ...calls });
    const rpc = await enrol(port);

    const sink = await rpc.session.log('lights@meeting-1-door');
    await sink.write(3, 'the lamp driver refused the write ✗');
    expect(lines).toEqual([['lights@meeting-1-door', 3, 'the lamp driver refused the write ✗']]);
    await expect(sink.write(256, 'x')).rejects.toMatchObject({ code: 'rpc.bad-field' });

    const network = await rpc.session.network('weather@roof');
    const fetched = await network.fetch('https://example.invalid/forecast');
    expect(fetched.status).toBe(203);
    expect(fetched.contentType).toBe('application/octet-stream');
    expect(Buffer.from(fetched.body).equals(Buffer.from(body))).toBe(true);
    const tooLarge = await failure(network.fetch('https://example.invalid/big'));
    expect(tooLarge).toBeInstanceOf(RemoteError);
    expect(tooLarge).toMatchObject({ code: 'network.too-large', method: 'Network.fetch' });

    const denied = await failure(rpc.session.presence('lights@meeting-1-door'));
    expect(denied).toBeInstanceOf(RemoteError);
    expect(denied).toMatchObject({
      code: 'rpc.capability-denied',
      method: 'Session.presence',
      hint: 'grant it in policies.yaml, then osmose build and osmose rollout',
      data: { board: 'meeting-1-heating', fragment: 'lights@meeting-1-door', capability: 'presence' },
    });
    rpc.close();
  });

  it('refuses a person handle the ABI cannot carry before it is written, and answers rpc.unimplemented from a gateway without system calls', async () => {
    const { port } = await serve({
      ...beats,
      presence: () => Promise.resolve({ people: () => Promise.resolve([{ handle: 0, destination: '', publicKey: new Uint8Array() }]), watch: () => Promise.resolve() }),
    });
    const rpc = await enrol(port);
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    await expect(presence.people()).rejects.toMatchObject({ code: 'rpc.bad-field', message: expect.stringContaining('Presence.people[0].handle') as unknown });
    await expect(rpc.session.log('heating@meeting-1-heating')).rejects.toMatchObject({ code: 'rpc.unimplemented', data: { method: 'Session.log' } });
    // The session still works after both.
    expect(await rpc.session.heartbeat({ image: '', version: 0, slot: '', confirmed: false, agentState: '', running: false, stops: 0, uptimeMs: 0, busy: false, selfTest: '', sequence: 9 })).toEqual({ sequence: 9, intervalMs: 1_000 });
    rpc.close();
  });

  it('rejects calls on a reference once its connection has gone', async () => {
    const { port, sockets } = await serve({
      ...beats,
      presence: () => Promise.resolve({ people: () => Promise.resolve([ada]), watch: () => Promise.resolve() }),
    });
    const rpc = await enrol(port);
    const presence = await rpc.session.presence('heating@meeting-1-heating');
    expect(await presence.people()).toEqual([ada]);
    sockets[0]?.destroy();
    const error = await failure(
      (async () => {
        for (;;) await presence.people();
      })(),
    );
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: 'rpc.closed' });
  });

  it('carries an admit both ways: either credential, the destination and a preference, and the admission back', async () => {
    const asked: AdmitRequest[] = [];
    const { port } = await serve({
      ...beats,
      admit: (request) => {
        asked.push(request);
        if ('password' in request.credential) return Promise.resolve({ pseudonym: 'p-bbbb', returning: true, handle: 2_147_483_647, space: 'hall', destination: null, preferences: {} });
        return Promise.resolve({ pseudonym: 'p-aaaa', returning: false, handle: 12, space: 'entrance', destination: request.destination ?? null, preferences: request.preferences ?? {} });
      },
    });
    const rpc = await enrol(port);
    expect(await rpc.session.admit({ credential: { badge: '1001' }, destination: 'meeting-1', preferences: { temperature: 22.5 } })).toEqual({
      pseudonym: 'p-aaaa',
      returning: false,
      handle: 12,
      space: 'entrance',
      destination: 'meeting-1',
      preferences: { temperature: 22.5 },
    });
    expect(await rpc.session.admit({ credential: { password: 'open sesame' } })).toEqual({ pseudonym: 'p-bbbb', returning: true, handle: 2_147_483_647, space: 'hall', destination: null, preferences: {} });
    // Absent fields stay absent on the other side: no empty destination, no zero temperature.
    expect(asked).toEqual([{ credential: { badge: '1001' }, destination: 'meeting-1', preferences: { temperature: 22.5 } }, { credential: { password: 'open sesame' } }]);
    // A credential that is neither, or both, is refused before anything is sent, without its value.
    const both = await failure(rpc.session.admit({ credential: { badge: 'x', password: 'y' } as never }));
    expect(both).toMatchObject({ code: 'rpc.bad-field' });
    expect((both as Error).message).not.toMatch(/\bx\b|\by\b/);
    expect(asked).toHaveLength(2);
    rpc.close();
  });

  it('answers admit with rpc.unimplemented from a gateway without a front desk, and passes the desk\'s refusal on with its code', async () => {
    const plain = await serve(beats);
    const rpc = await enrol(plain.port);
    await expect(rpc.session.admit({ credential: { badge: '1001' } })).rejects.toMatchObject({ code: 'rpc.unimplemented', data: { method: 'Session.admit' } });
    rpc.close();
    const desk = await serve({ ...beats, admit: () => Promise.reject(new OsmoseError('rpc.capability-denied', 'meeting-1-door is not an entrance', { data: { board: 'meeting-1-door' } })) });
    const other = await enrol(desk.port);
    await expect(other.session.admit({ credential: { badge: '1001' } })).rejects.toMatchObject({ code: 'rpc.capability-denied', message: 'meeting-1-door is not an entrance', data: { board: 'meeting-1-door' } });
    other.close();
  });
});
