import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';
import { makeTlsFixture, type TlsFixture, type TlsIdentity } from '../../test/tlsFixtures.js';
import { connectGatewayRpc, RemoteError, RpcError, serveGatewayRpc, type BoardHandlers, type BoardRemote, type Deployment, type GatewayEvent, type GatewayHandlers, type Health, type Hello } from './gatewayRpc.js';

const hello: Hello = { board: 'meeting-1-door', type: 'rpi4', image: 'door-7f3a', version: 41, slot: 'b', confirmed: false, agentState: 'trial', shim: 'kernel-js 0.1.0' };
const health: Health = {
  image: 'door-7f3a',
  version: 4_294_967_295,
  slot: 'b',
  confirmed: true,
  agentState: 'idle',
  running: true,
  stops: 3,
  uptimeMs: 2 ** 52 + 1,
  busy: false,
  selfTest: 'gpio ok; audio ok',
  sequence: Number.MAX_SAFE_INTEGER,
};
const event: GatewayEvent = { kind: 'installed', rollout: 'r-12', image: 'door-8b01', version: 42, slot: 'a', detail: 'staged and verified ✓', at: '2026-01-02T03:04:05.678Z', bytes: 123_456_789_012 };
const deployment: Deployment = {
  rollout: 'r-12',
  build: 'b-99',
  image: 'door-8b01',
  version: 42,
  files: [
    { name: 'app.wasm', sha256: 'a'.repeat(64), length: 1_048_576 },
    { name: 'config.json', sha256: 'b'.repeat(64), length: 812 },
    { name: 'targets.json', sha256: 'c'.repeat(64), length: 2 ** 40 },
  ],
};

const politeBoard: BoardHandlers = {
  offer: (d) => Promise.resolve({ accepted: true, reason: `ready for ${d.image}` }),
  commit: () => Promise.resolve(),
  revert: () => Promise.resolve({ reverted: true, reason: 'back on slot b' }),
};

let tls: TlsFixture;
let boardIdentity: TlsIdentity;
const servers: Server[] = [];

beforeAll(async () => {
  tls = await makeTlsFixture();
  boardIdentity = await tls.client('meeting-1-door');
});
afterAll(() => {
  for (const server of servers) server.close();
});

interface Served {
  readonly port: number;
  /** The gateway side's onClose calls, per accepted connection. */
  readonly closes: (Error | undefined)[][];
  readonly sockets: TLSSocket[];
  readonly handles: { close(): void }[];
}

/** A real TLS 1.3 server on 127.0.0.1 (mutual TLS, as a gateway runs it) serving `gateway`. */
async function serve(gateway: GatewayHandlers): Promise<Served> {
  const served: Served = { port: 0, closes: [], sockets: [], handles: [] };
  const server = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (socket) => {
    const closes: (Error | undefined)[] = [];
    served.closes.push(closes);
    served.sockets.push(socket);
    served.handles.push(serveGatewayRpc(socket, gateway, { onClose: (error) => closes.push(error) }));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { ...served, port: (server.address() as AddressInfo).port };
}

async function dial(port: number): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ca: tls.ca, key: boardIdentity.key, cert: boardIdentity.cert, servername: 'localhost', minVersion: 'TLSv1.3' });
  await once(socket, 'secureConnect');
  expect(socket.getProtocol()).toBe('TLSv1.3');
  return socket;
}

/** A gateway that records what it was told and keeps the boards it was handed. */
function recordingGateway(): GatewayHandlers & { hellos: Hello[]; healths: Health[]; events: GatewayEvent[]; boards: BoardRemote[] } {
  const gateway = {
    hellos: [] as Hello[],
    healths: [] as Health[],
    events: [] as GatewayEvent[],
    boards: [] as BoardRemote[],
    enrol: (h: Hello, board: BoardRemote) => {
      gateway.hellos.push(h);
      gateway.boards.push(board);
      return Promise.resolve({
        heartbeat: (beat: Health) => {
          gateway.healths.push(beat);
          return Promise.resolve({ sequence: beat.sequence, intervalMs: 5_000 });
        },
        report: (e: GatewayEvent) => {
          gateway.events.push(e);
          return Promise.resolve();
        },
      });
    },
  };
  return gateway;
}

function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe('gateway RPC over TLS 1.3', () => {
  it('enrols, and carries heartbeats and reports with every field as sent', async () => {
    const gateway = recordingGateway();
    const { port } = await serve(gateway);
    const rpc = await connectGatewayRpc(await dial(port), hello, politeBoard);
    expect(gateway.hellos).toEqual([hello]);

    expect(await rpc.session.heartbeat(health)).toEqual({ sequence: Number.MAX_SAFE_INTEGER, intervalMs: 5_000 });
    expect(gateway.healths).toEqual([health]);
    const zero: Health = { image: '', version: 0, slot: '', confirmed: false, agentState: '', running: false, stops: 0, uptimeMs: 0, busy: true, selfTest: '', sequence: 0 };
    expect(await rpc.session.heartbeat(zero)).toEqual({ sequence: 0, intervalMs: 5_000 });
    expect(gateway.healths[1]).toEqual(zero);

    await rpc.session.report(event);
    expect(gateway.events).toEqual([event]);
    rpc.close();
  });

  it('lets the gateway offer, commit and revert through the board capability it got in enrol', async () => {
    const gateway = recordingGateway();
    const { port } = await serve(gateway);
    const calls: unknown[] = [];
    const board: BoardHandlers = {
      offer: (d) => {
        calls.push(['offer', d]);
        return Promise.resolve({ accepted: false, reason: `busy recording; ${d.files.length} files later` });
      },
      commit: (rollout) => {
        calls.push(['commit', rollout]);
        return Promise.resolve();
      },
      revert: (rollout, reason) => {
        calls.push(['revert', rollout, reason]);
        return Promise.resolve({ reverted: true, reason: 'slot b confirmed again' });
      },
    };
    const rpc = await connectGatewayRpc(await dial(port), hello, board);
    const remote = gateway.boards[0];
    if (remote === undefined) throw new Error('the gateway got no board');

    expect(await remote.offer(deployment)).toEqual({ accepted: false, reason: 'busy recording; 3 files later' });
    await remote.commit('r-12');
    expect(await remote.revert('r-12', 'health gate failed: 2 of 5 boards down')).toEqual({ reverted: true, reason: 'slot b confirmed again' });
    expect(calls).toEqual([
      ['offer', deployment],
      ['commit', 'r-12'],
      ['revert', 'r-12', 'health gate failed: 2 of 5 boards down'],
    ]);
    // The board's session still works alongside.
    expect((await rpc.session.heartbeat(health)).sequence).toBe(health.sequence);
    rpc.close();
  });

  it('lets the gateway ask a board to erase a person, and answers rpc.unimplemented from a board that erases nothing', async () => {
    const gateway = recordingGateway();
    const { port } = await serve(gateway);
    const keys: Uint8Array[] = [];
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const rpc = await connectGatewayRpc(await dial(port), hello, {
      ...politeBoard,
      erase: (publicKey) => {
        keys.push(publicKey);
        return Promise.resolve({ epochsRemoved: 2, membershipsRemoved: 3, activityRemoved: 1, bytesRemoved: 2 ** 40 + 7 });
      },
    });
    expect(await gateway.boards[0]?.erase(key)).toEqual({ epochsRemoved: 2, membershipsRemoved: 3, activityRemoved: 1, bytesRemoved: 2 ** 40 + 7 });
    expect(keys).toEqual([key]);
    rpc.close();

    const plain = await connectGatewayRpc(await dial(port), hello, politeBoard);
    await expect(gateway.boards[1]?.erase(key)).rejects.toMatchObject({ code: 'rpc.unimplemented', method: 'Board.erase', data: { method: 'Board.erase' } });
    expect(await gateway.boards[1]?.offer(deployment)).toEqual({ accepted: true, reason: 'ready for door-8b01' });
    plain.close();
  });

  it('rejects a call whose handler threw with that error\u2019s message, code, hint and data, and the link stays up', async () => {
    const { port } = await serve({
      enrol: (_h, board) => {
        boardSeen = board;
        return Promise.resolve({
          heartbeat: () => Promise.reject(new OsmoseError('gateway.board-unknown', 'meeting-1-door is not in this building', { hint: 'run osmose build', data: { board: 'meeting-1-door' } })),
          report: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })),
        });
      },
    });
    let boardSeen: BoardRemote | undefined;
    const rpc = await connectGatewayRpc(await dial(port), hello, {
      ...politeBoard,
      revert: () => Promise.reject(new Error('slot a is empty: nothing to revert to')),
    });

    const beat = await settle(rpc.session.heartbeat(health));
    expect(beat.ok).toBe(false);
    const error = (beat as { error: unknown }).error;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toBeInstanceOf(OsmoseError);
    expect(error).toMatchObject({ code: 'gateway.board-unknown', message: 'meeting-1-door is not in this building', hint: 'run osmose build', data: { board: 'meeting-1-door' }, method: 'Session.heartbeat' });

    await expect(rpc.session.report(event)).rejects.toMatchObject({ code: 'ENOSPC', message: 'ENOSPC: no space left on device', method: 'Session.report' });
    await expect(boardSeen?.revert('r-1', 'why not')).rejects.toMatchObject({ code: 'rpc.remote-failed', message: 'slot a is empty: nothing to revert to', method: 'Board.revert' });
    expect(await boardSeen?.offer(deployment)).toEqual({ accepted: true, reason: 'ready for door-8b01' });
    rpc.close();
  });

  it('refuses to send a number the schema cannot hold, naming the field, and sends nothing', async () => {
    const gateway = recordingGateway();
    const { port } = await serve(gateway);
    const rpc = await connectGatewayRpc(await dial(port), hello, politeBoard);
    await expect(rpc.session.heartbeat({ ...health, version: -1 })).rejects.toThrow(InputError);
    await expect(rpc.session.heartbeat({ ...health, uptimeMs: 1.5 })).rejects.toThrow(/Health\.uptimeMs must be a whole number/);
    await expect(gateway.boards[0]?.offer({ ...deployment, files: [{ name: 'x', sha256: '', length: -3 }] })).rejects.toThrow(/Deployment\.files\[0\]\.length/);
    expect(gateway.healths).toEqual([]);
    expect((await rpc.session.heartbeat(health)).sequence).toBe(health.sequence);
    rpc.close();
  });

  it('rejects the connect when enrol fails, and closes the connection', async () => {
    const served = await serve({ enrol: () => Promise.reject(new InputError('gateway.wrong-board', 'this certificate is not meeting-1-door\u2019s')) });
    const closes: (Error | undefined)[] = [];
    const socket = await dial(served.port);
    await expect(connectGatewayRpc(socket, hello, politeBoard, { onClose: (error) => closes.push(error) })).rejects.toMatchObject({ code: 'gateway.wrong-board', method: 'Gateway.enrol' });
    expect(closes).toEqual([undefined]);
    await once(socket, 'close');
  });

  it('keeps many calls in flight at once in both directions, each answered by its own reply', async () => {
    const gateway = recordingGateway();
    const { port } = await serve(gateway);
    let offers = 0;
    const rpc = await connectGatewayRpc(await dial(port), hello, {
      ...politeBoard,
      offer: async (d) => {
        offers++;
        await new Promise((resolve) => setImmediate(resolve));
        return { accepted: true, reason: d.rollout };
      },
    });
    const remote = gateway.boards[0];
    if (remote === undefined) throw new Error('the gateway got no board');
    const beats = Array.from({ length: 500 }, (_, i) => rpc.session.heartbeat({ ...health, sequence: i, selfTest: `beat ${i}` }));
    const reports = Array.from({ length: 100 }, (_, i) => rpc.session.report({ ...event, bytes: i }));
    const offered = Array.from({ length: 100 }, (_, i) => remote.offer({ ...deployment, rollout: `r-${i}` }));
    const acks = await Promise.all(beats);
    expect(acks.map((ack) => ack.sequence)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await Promise.all(reports);
    expect((await Promise.all(offered)).map((answer) => answer.reason)).toEqual(Array.from({ length: 100 }, (_, i) => `r-${i}`));
    expect(gateway.healths.map((h) => h.selfTest).sort()).toEqual(Array.from({ length: 500 }, (_, i) => `beat ${i}`).sort());
    expect(gateway.events.map((e) => e.bytes).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(offers).toBe(100);
    rpc.close();
  });

  it('rejects every pending call on both sides when the socket drops, and tells each side once', async () => {
    let heartbeatsStarted = 0;
    let boardRemote: BoardRemote | undefined;
    const served = await serve({
      enrol: (_h, board) => {
        boardRemote = board;
        return Promise.resolve({
          heartbeat: () => {
            heartbeatsStarted++;
            return new Promise(() => {}); // the gateway never answers
          },
          report: () => Promise.resolve(),
        });
      },
    });
    let offersStarted = 0;
    const boardCloses: (Error | undefined)[] = [];
    const rpc = await connectGatewayRpc(await dial(served.port), hello, {
      ...politeBoard,
      offer: () => {
        offersStarted++;
        return new Promise(() => {}); // nor does the board
      },
    }, { onClose: (error) => boardCloses.push(error) });
    if (boardRemote === undefined) throw new Error('the gateway got no board');

    const beats = [settle(rpc.session.heartbeat(health)), settle(rpc.session.heartbeat({ ...health, sequence: 1 }))];
    const offer = settle(boardRemote.offer(deployment));
    while (heartbeatsStarted < 2 || offersStarted < 1) await new Promise((resolve) => setImmediate(resolve));

    served.sockets[0]?.destroy(); // the gateway's end goes away without a word
    for (const beat of await Promise.all(beats)) {
      expect(beat.ok).toBe(false);
      expect((beat as { error: unknown }).error).toBeInstanceOf(RpcError);
      expect((beat as { error: unknown }).error).toMatchObject({ code: 'rpc.closed', message: 'the other side closed the connection before Session.heartbeat answered' });
    }
    const offerResult = await offer;
    expect(offerResult.ok).toBe(false);
    expect((offerResult as { error: unknown }).error).toMatchObject({ code: 'rpc.closed', message: 'the connection closed before Board.offer answered' });

    expect(boardCloses).toHaveLength(1);
    expect(boardCloses[0]).toMatchObject({ code: 'rpc.closed' });
    expect(served.closes[0]).toHaveLength(1);
    // Calls after the drop fail at once, on either side.
    await expect(rpc.session.report(event)).rejects.toMatchObject({ code: 'rpc.closed', message: 'the connection is closed: Session.report was not sent' });
    await expect(boardRemote.commit('r-12')).rejects.toMatchObject({ code: 'rpc.closed' });
    rpc.close();
    expect(boardCloses).toHaveLength(1);
  });

  it('closes the gateway\u2019s side with rpc.frame-too-large when a board announces an oversized frame', async () => {
    const served = await serve(recordingGateway());
    const socket = await dial(served.port);
    const header = Buffer.alloc(8);
    header.writeUInt32LE((100 * 1024 * 1024) / 8, 4); // 100 MiB
    socket.write(header);
    await once(socket, 'close');
    while (served.closes[0]?.length !== 1) await new Promise((resolve) => setImmediate(resolve));
    expect(served.closes[0][0]).toMatchObject({ code: 'rpc.frame-too-large' });
  });

  it('closing from the gateway side ends the board\u2019s connection too', async () => {
    const served = await serve(recordingGateway());
    const boardCloses: (Error | undefined)[] = [];
    const rpc = await connectGatewayRpc(await dial(served.port), hello, politeBoard, { onClose: (error) => boardCloses.push(error) });
    served.handles[0]?.close();
    while (boardCloses.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(boardCloses[0]).toMatchObject({ code: 'rpc.closed' });
    expect(served.closes[0]).toEqual([undefined]);
    await expect(rpc.session.heartbeat(health)).rejects.toMatchObject({ code: 'rpc.closed' });
  });
});
