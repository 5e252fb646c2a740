import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameCipher } from './FrameCipher.js';
import { openStreamCircuit } from './openStreamCircuit.js';
import { StreamLink, type StreamLinkOptions } from './StreamLink.js';
import { StreamListener } from './StreamListener.js';
import { memoryStreamAddresses } from './memoryStreamAddresses.js';

const circuit = 'recorder@meeting-1/microphone';
const key = randomBytes(32);
const loopback = { host: '127.0.0.1', port: 0 };
const until = { timeout: 10_000, interval: 5 };

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

async function open(options: Partial<StreamLinkOptions> & Pick<StreamLinkOptions, 'end'>): Promise<StreamLink> {
  const link = await StreamLink.open({ circuit, key, address: loopback, backoff: { firstMs: 5, maxMs: 50 }, ...options });
  opened.push(link);
  return link;
}

/** The app end listening on loopback and the device end dialing it (through `via` when given), both connected. */
async function linked(app: Partial<StreamLinkOptions> = {}, device: Partial<StreamLinkOptions> = {}, via?: (target: number) => Promise<number>): Promise<{ app: StreamLink; device: StreamLink }> {
  const appEnd = await open({ ...app, end: 'app' });
  const port = via === undefined ? appEnd.address.port : await via(appEnd.address.port);
  const deviceEnd = await open({ ...device, end: 'device', address: { host: '127.0.0.1', port } });
  await Promise.all([appEnd.whenConnected(), deviceEnd.whenConnected()]);
  return { app: appEnd, device: deviceEnd };
}

const message = (index: number, length = 1024): Uint8Array => {
  const bytes = Uint8Array.from({ length }, (_, at) => (index * 7 + at) & 0xff);
  if (length >= 4) new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
};

/**
 * A TCP proxy between the two ends, standing for the network: it can cut every connection,
 * change bytes going to the app end, or slip bytes of its own in.
 */
class Wire {
  readonly #server: Server;
  readonly #pairs = new Set<{ readonly toDevice: Socket; readonly toApp: Socket }>();
  /** Called on each chunk going to the app end; what it answers is forwarded instead. */
  towardApp: ((chunk: Buffer) => Buffer) | undefined;

  private constructor(target: number) {
    this.#server = createServer((toDevice) => {
      const toApp = connect({ host: '127.0.0.1', port: target });
      const pair = { toDevice, toApp };
      this.#pairs.add(pair);
      toDevice.on('data', (chunk: Buffer) => toApp.write(this.towardApp?.(chunk) ?? chunk));
      toApp.on('data', (chunk: Buffer) => toDevice.write(chunk));
      const end = (): void => {
        this.#pairs.delete(pair);
        toDevice.destroy();
        toApp.destroy();
      };
      for (const socket of [toDevice, toApp]) {
        socket.on('close', end);
        socket.on('error', end);
      }
    });
    opened.push({ close: () => this.close() });
  }

  static async to(target: number): Promise<Wire> {
    const wire = new Wire(target);
    wire.#server.listen(0, '127.0.0.1');
    await once(wire.#server, 'listening');
    return wire;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Writes bytes of its own to the app end, on every connection. */
  inject(bytes: Buffer): void {
    for (const { toApp } of this.#pairs) toApp.write(bytes);
  }

  cut(): void {
    for (const { toDevice, toApp } of this.#pairs) {
      toDevice.destroy();
      toApp.destroy();
    }
  }

  close(): void {
    this.cut();
    this.#server.close();
  }
}

describe('StreamLink over loopback TCP', () => {
  it('delivers messages both ways, in order, sealed', async () => {
    const { app, device } = await linked();
    const atApp: Uint8Array[] = [];
    const atDevice: Uint8Array[] = [];
    app.onMessage((m) => atApp.push(m));
    device.onMessage((m) => atDevice.push(m));
    // 400 KB in all: past the 256 KiB window, so the sender waits for credit on the way.
    const sent = Array.from({ length: 200 }, (_, index) => message(index, 1 + ((index * 97) % 4000)));
    for (const next of sent) {
      while (device.send(next) === 'busy') await device.writable(next.length);
    }
    expect(app.send(message(1, 0))).toBe('ok');
    await vi.waitFor(() => expect(atApp).toHaveLength(200), until);
    await vi.waitFor(() => expect(atDevice).toHaveLength(1), until);
    expect(atApp).toEqual(sent);
    expect(atDevice).toEqual([message(1, 0)]);
    expect(device.counters).toMatchObject({ connections: 1, messagesSent: 200, refused: 0, forged: 0 });
    expect(app.counters).toMatchObject({ connections: 1, messagesReceived: 200, refused: 0, forged: 0 });
  });

  it('stops a sender at the window while its consumer takes nothing (busy, nothing queued past it), then resumes', async () => {
    const window = 8 * 1024;
    const { app, device } = await linked({ window, maxMessageBytes: 1024 }, { maxMessageBytes: 1024 });
    expect(device.credit).toBe(window);
    const sent: Uint8Array[] = [];
    for (let index = 0; device.send(message(index)) === 'ok'; index++) sent.push(message(index));
    // Exactly the window left, and every further send is refused rather than queued.
    expect(sent).toHaveLength(8);
    expect(device.credit).toBe(0);
    for (let tries = 0; tries < 100; tries++) expect(device.send(message(99))).toBe('busy');
    await vi.waitFor(() => expect(app.waitingBytes).toBe(window), until);
    expect(app.counters.messagesReceived).toBe(8);
    expect(device.counters.busy).toBe(101);

    const writable = device.writable(1024);
    const received: Uint8Array[] = [];
    const stop = app.onMessage((m) => received.push(m));
    // What waited is handed over within onMessage, and taking it grants the credit back.
    expect(received).toEqual(sent);
    expect(app.waitingBytes).toBe(0);
    await writable;
    await vi.waitFor(() => expect(device.credit).toBe(window), until);

    // A consumer that stops again stops the sender again, at the window again.
    stop();
    let more = 0;
    while (device.send(message(100 + more)) === 'ok') more++;
    expect(more).toBe(8);
    await vi.waitFor(() => expect(app.waitingBytes).toBe(window), until);
    app.onMessage((m) => received.push(m));
    expect(received.slice(8)).toEqual(Array.from({ length: 8 }, (_, index) => message(100 + index)));
  });

  it('keeps to its bandwidth reservation, as an injected clock tells the time', async () => {
    let now = 0;
    const { app, device } = await linked({}, { maxMessageBytes: 1000, reservation: { bytesPerSecond: 10_000, burstBytes: 4_000 }, clock: () => now });
    const received: Uint8Array[] = [];
    app.onMessage((m) => received.push(m));
    const burst = (): number => {
      let sent = 0;
      while (device.send(message(sent, 1000)) === 'ok') sent++;
      return sent;
    };
    expect(burst()).toBe(4);
    now += 100; // 1,000 bytes' worth
    expect(burst()).toBe(1);
    now += 50; // half a message: not enough
    expect(burst()).toBe(0);
    now += 50;
    expect(burst()).toBe(1);
    now += 60_000; // a minute idle refills the burst, not more
    expect(burst()).toBe(4);
    await vi.waitFor(() => expect(received).toHaveLength(10), until);
    expect(device.counters.busy).toBe(5);

    // writable waits for the tokens, not only for credit.
    const writable = device.writable(1000);
    let resolved = false;
    void writable.then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    now += 100;
    await writable;
    expect(device.send(message(0, 1000))).toBe('ok');
  });

  it('refuses a forged frame slipped into the connection and a corrupted one, counts each, and comes back on a new connection', async () => {
    let wire: Wire | undefined;
    const { app, device } = await linked({}, {}, async (target) => {
      wire = await Wire.to(target);
      return wire.port;
    });
    if (wire === undefined) throw new Error('no wire');
    const received: Uint8Array[] = [];
    app.onMessage((m) => received.push(m));
    expect(device.send(message(1))).toBe('ok');
    await vi.waitFor(() => expect(received).toHaveLength(1), until);

    // A frame as a stranger would make it: the right shape, sealed under a key of its own.
    wire.inject(Buffer.concat(new FrameCipher(randomBytes(32)).seal('data', message(666))));
    await vi.waitFor(() => expect(app.counters.forged).toBe(1), until);
    await vi.waitFor(() => expect(app.counters.connections).toBe(2), until);
    await device.whenConnected();

    // One bit flipped in a frame on its way: the GCM tag no longer matches.
    wire.towardApp = (chunk) => {
      wire!.towardApp = undefined;
      const changed = Buffer.from(chunk);
      changed[changed.length - 1]! ^= 0x01;
      return changed;
    };
    expect(device.send(message(2))).toBe('ok');
    await vi.waitFor(() => expect(app.counters.forged).toBe(2), until);
    await vi.waitFor(() => expect(app.counters.connections).toBe(3), until);
    await vi.waitFor(() => expect(device.connected).toBe(true), until);
    expect(device.send(message(3))).toBe('ok');
    await vi.waitFor(() => expect(received).toHaveLength(2), until);
    // Neither the forged message nor the corrupted one was handed on.
    expect(received).toEqual([message(1), message(3)]);
    expect(app.counters.cuts).toBe(2);
  });

  it('refuses a connection whose hello is not sealed with the circuit key, at either end', async () => {
    const app = await open({ end: 'app' });
    const stranger = await open({ end: 'device', key: randomBytes(32), address: { host: '127.0.0.1', port: app.address.port } });
    await vi.waitFor(() => expect(app.counters.refused).toBeGreaterThanOrEqual(2), until);
    expect(app.connected).toBe(false);
    expect(stranger.connected).toBe(false);
    expect(stranger.send(message(1))).toBe('unavailable');
    stranger.close();

    // An app end with another key refuses the rightful device end's hello in the same way:
    // neither side ever holds a connection the other could not open.
    const impostor = await open({ end: 'app', key: randomBytes(32) });
    const device = await open({ end: 'device', address: { host: '127.0.0.1', port: impostor.address.port } });
    await vi.waitFor(() => expect(impostor.counters.refused).toBeGreaterThanOrEqual(2), until);
    expect(device.connected).toBe(false);
    expect(device.send(message(1))).toBe('unavailable');
    expect(app.counters.connections + impostor.counters.connections + device.counters.connections).toBe(0);
  });

  it('dials again after a cut and carries on', async () => {
    let wire: Wire | undefined;
    const { app, device } = await linked({}, {}, async (target) => {
      wire = await Wire.to(target);
      return wire.port;
    });
    const received: Uint8Array[] = [];
    app.onMessage((m) => received.push(m));
    expect(device.send(message(1))).toBe('ok');
    await vi.waitFor(() => expect(received).toHaveLength(1), until);

    wire?.cut();
    await vi.waitFor(() => expect(device.counters.cuts).toBe(1), until);
    expect(device.send(message(2))).toBe('unavailable');
    await device.whenConnected();
    await vi.waitFor(() => expect(app.connected).toBe(true), until);
    expect(device.send(message(3))).toBe('ok');
    await vi.waitFor(() => expect(received).toHaveLength(2), until);
    expect(received).toEqual([message(1), message(3)]);
    expect(device.counters.connections).toBe(2);
    expect(app.counters.connections).toBe(2);
  });

  it('asks its resolver where to dial at every attempt, and waits while it knows nowhere', async () => {
    const book = memoryStreamAddresses();
    const asked: string[] = [];
    // The device end opens first: the app end it was planned to reach does not listen yet.
    const device = await open({ end: 'device', address: { host: '127.0.0.1', port: 1 }, resolve: () => {
      const at = book.resolve('meeting-1-table.local:47000');
      asked.push(at === undefined ? 'nowhere' : 'found');
      return at;
    } });
    await vi.waitFor(() => expect(asked.filter((answer) => answer === 'nowhere').length).toBeGreaterThan(1), until);
    const app = await open({ end: 'app', address: book.listenOn('meeting-1-table.local:47000') });
    book.listening('meeting-1-table.local:47000', app.address);
    await Promise.all([app.whenConnected(), device.whenConnected()]);
    expect(asked.at(-1)).toBe('found');
    device.send(message(1));
    await vi.waitFor(() => expect(app.counters.messagesReceived).toBe(1), until);
  });

  it('rejects writable and whenConnected once closed, and answers unavailable', async () => {
    const { app, device } = await linked({ window: 1024, maxMessageBytes: 1024 }, { maxMessageBytes: 1024 });
    expect(device.send(message(1))).toBe('ok');
    const waiting = device.writable(1024);
    device.close();
    await expect(waiting).rejects.toMatchObject({ code: 'stream.closed' });
    await expect(device.whenConnected()).rejects.toMatchObject({ code: 'stream.closed' });
    expect(device.send(message(2))).toBe('unavailable');
    await vi.waitFor(() => expect(app.connected).toBe(false), until);
    expect(() => app.send(message(3, 2048))).toThrow(expect.objectContaining({ code: 'kernel.channel-too-large' }));
  });

  it('refuses options it cannot honour', async () => {
    await expect(StreamLink.open({ circuit, key: randomBytes(16), end: 'app', address: loopback })).rejects.toMatchObject({ code: 'stream.link-option' });
    await expect(StreamLink.open({ circuit, key, end: 'app', address: loopback, maxMessageBytes: 4096, window: 1024 })).rejects.toMatchObject({ code: 'stream.link-option' });
    await expect(StreamLink.open({ circuit, key, end: 'device', address: { host: '127.0.0.1', port: 1 }, maxMessageBytes: 4096, reservation: { bytesPerSecond: 1e6, burstBytes: 1000 } })).rejects.toMatchObject({
      code: 'stream.reservation',
    });
  });
});

describe('a board\'s stream listener and openStreamCircuit', () => {
  it('routes each connection to the circuit its hello names, and turns strangers away', async () => {
    const listener = await StreamListener.listen(loopback);
    opened.push(listener);
    const address = `127.0.0.1:${listener.address.port}`;
    const record = (id: string) => ({
      id,
      kind: 'stream',
      direction: 'to-app',
      app: { board: 'meeting-1-hub', instance: 'recorder@meeting-1', need: id.split('/')[1] ?? '', address },
      device: { board: 'meeting-1-mic', device: 'mic', driver: 'audio-in', address: '127.0.0.1:1' },
      key: randomBytes(32).toString('hex'),
    });
    const circuits = [record('recorder@meeting-1/left'), record('recorder@meeting-1/right')];
    const apps = await Promise.all(circuits.map((c) => openStreamCircuit(c, 'meeting-1-hub', { listener })));
    const devices = await Promise.all(circuits.map((c) => openStreamCircuit(c, 'meeting-1-mic')));
    opened.push(...apps, ...devices);
    await Promise.all([...apps, ...devices].map((link) => link.whenConnected()));
    const got: string[][] = [[], []];
    apps.forEach((app, index) => app.onMessage((m) => got[index]?.push(Buffer.from(m).toString())));
    devices[0]?.send(Buffer.from('left'));
    devices[1]?.send(Buffer.from('right'));
    await vi.waitFor(() => expect(got).toEqual([['left'], ['right']]), until);

    // Bytes that are not a hello, and a hello for no circuit of this board.
    const garbage = connect(listener.address.port, '127.0.0.1');
    garbage.write(Buffer.alloc(64, 0x41));
    const unknown = connect(listener.address.port, '127.0.0.1');
    const hello = Buffer.alloc(4 + 41);
    hello.writeUInt32BE(41, 0);
    hello[4] = 1;
    unknown.write(hello);
    await vi.waitFor(() => expect(listener.counters).toMatchObject({ malformed: 1, unknown: 1 }), until);
    garbage.destroy();
    unknown.destroy();

    // The planner's reservation comes with the record: 10 kB/s, a quarter second's burst.
    const reserved = { ...record('recorder@meeting-1/reserved'), bandwidth: 10_000 };
    const reservedApp = await openStreamCircuit(reserved, 'meeting-1-hub', { listener });
    const reservedDevice = await openStreamCircuit(reserved, 'meeting-1-mic', { maxMessageBytes: 1000, clock: () => 0 });
    opened.push(reservedApp, reservedDevice);
    await reservedDevice.whenConnected();
    expect([1, 2, 3].map(() => reservedDevice.send(new Uint8Array(1000)))).toEqual(['ok', 'ok', 'busy']);
    await expect(openStreamCircuit({ ...reserved, bandwidth: -1 }, 'meeting-1-mic')).rejects.toMatchObject({ code: 'stream.bad-circuit' });

    await expect(openStreamCircuit({ ...record('x/y'), kind: 'control' }, 'meeting-1-hub')).rejects.toMatchObject({ code: 'stream.bad-circuit' });
    await expect(openStreamCircuit(record('x/y'), 'elsewhere')).rejects.toMatchObject({ code: 'stream.bad-circuit' });
    await expect(openStreamCircuit({ ...record('x/y'), key: 'abc' }, 'meeting-1-hub')).rejects.toMatchObject({ code: 'stream.bad-circuit' });
    expect(() => listener.attach('recorder@meeting-1/left', () => undefined)).toThrow(expect.objectContaining({ code: 'stream.duplicate' }));
  });
});
