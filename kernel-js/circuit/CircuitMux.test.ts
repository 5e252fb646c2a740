import { describe, expect, it } from 'vitest';
import type { CircuitConfig } from './CircuitConfig.js';
import { CircuitMux } from './CircuitMux.js';
import type { DatagramPort } from './DatagramPort.js';
import { memoryDatagramNetwork } from './memoryDatagramNetwork.js';
import { udpDatagramPort } from './udpDatagramPort.js';

const appAddress = '127.0.0.1:47001';
const deviceAddress = '127.0.0.1:47002';

const lamp = (app = appAddress, device = deviceAddress, id = 'lights@meeting-1/lamp'): CircuitConfig => ({
  id,
  kind: 'control',
  direction: 'from-app',
  app: { board: 'pi-desk', instance: 'lights@meeting-1', need: 'lamp', address: app },
  device: { board: 'pi-ceiling', device: 'lamp', driver: 'gpio-out', address: device },
  key: '5c'.repeat(32),
});

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await settle();
};
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A port that keeps a copy of every datagram it sends, as an attacker on the wire would. */
const tap = (port: DatagramPort, captured: Uint8Array[]): DatagramPort => ({
  address: port.address,
  send(to, bytes) {
    captured.push(Uint8Array.from(bytes));
    port.send(to, bytes);
  },
  onDatagram: (listener) => port.onDatagram(listener),
  close: () => port.close(),
});

/** Two boards on a memory network, each with its mux and its end of the lamp circuit, sharing a clock the test moves. */
function twoBoards(options: { freshnessMs?: number } = {}) {
  const clock = { now: 1_700_000_000_000 };
  const network = memoryDatagramNetwork();
  const captured: Uint8Array[] = [];
  const attacker = network.port('127.0.0.1:47666');
  const appMux = new CircuitMux(tap(network.port(appAddress), captured), { clock: () => clock.now, ...options });
  const deviceMux = new CircuitMux(network.port(deviceAddress), { clock: () => clock.now, ...options });
  const app = appMux.open(lamp(), 'app');
  const device = deviceMux.open(lamp(), 'device');
  const atDevice: string[] = [];
  device.onMessage((message) => void atDevice.push(read(message)));
  return { clock, network, captured, attacker, appMux, deviceMux, app, device, atDevice };
}

/**
 * The device board on a memory network, and the app end on a network of its own, so that what
 * it sends reaches the device only when the test's attacker port sends the captured bytes, in
 * whatever order the test wants.
 */
function offTheWire() {
  const boards = twoBoards();
  const elsewhere = memoryDatagramNetwork();
  const app = new CircuitMux(tap(elsewhere.port(appAddress), boards.captured), { clock: () => boards.clock.now }).open(lamp(), 'app');
  return { ...boards, capture: (word: string): void => void app.send(text(word)) };
}

describe('control circuits', () => {
  it('carry messages both ways over real UDP on 127.0.0.1, and count them', async () => {
    const [portA, portB] = await Promise.all([udpDatagramPort('127.0.0.1:0'), udpDatagramPort('127.0.0.1:0')]);
    const circuit = lamp(portA.address, portB.address);
    const appMux = new CircuitMux(portA);
    const deviceMux = new CircuitMux(portB);
    try {
      const [app, device] = appMux.openBoard('pi-desk', [circuit]).concat(deviceMux.openBoard('pi-ceiling', [circuit]));
      expect([app?.end, device?.end]).toEqual(['app', 'device']);
      const atApp: string[] = [];
      const atDevice: string[] = [];
      app?.onMessage((message) => void atApp.push(read(message)));
      device?.onMessage((message) => void atDevice.push(read(message)));
      expect(app?.send(text('on'))).toBe('ok');
      expect(app?.send(text('off'))).toBe('ok');
      expect(device?.send(text('done'))).toBe('ok');
      await until(() => atDevice.length === 2 && atApp.length === 1);
      expect(atDevice).toEqual(['on', 'off']);
      expect(atApp).toEqual(['done']);
      expect(deviceMux.counters()).toEqual({
        port: { address: portB.address, unknown: 0, malformed: 0 },
        circuits: { [circuit.id]: { end: 'device', peer: portA.address, sent: 1, accepted: 2, replayed: 0, forged: 0, stale: 0, malformed: 0, dropped: 0 } },
      });
      expect(JSON.parse(JSON.stringify(appMux.counters()))).toEqual(appMux.counters());
    } finally {
      await Promise.all([appMux.close(), deviceMux.close()]);
    }
  });

  it('refuse a replayed datagram over real UDP and count it', async () => {
    const [portA, portB, attacker] = await Promise.all([udpDatagramPort('127.0.0.1:0'), udpDatagramPort('127.0.0.1:0'), udpDatagramPort('127.0.0.1:0')]);
    const captured: Uint8Array[] = [];
    const circuit = lamp(portA.address, portB.address);
    const appMux = new CircuitMux(tap(portA, captured));
    const deviceMux = new CircuitMux(portB);
    try {
      const app = appMux.open(circuit, 'app');
      const device = deviceMux.open(circuit, 'device');
      const atDevice: string[] = [];
      device.onMessage((message) => void atDevice.push(read(message)));
      app.send(text('toggle'));
      await until(() => atDevice.length === 1);
      attacker.send(portB.address, captured[0] ?? new Uint8Array(0));
      await until(() => device.counters().replayed === 1);
      expect(atDevice).toEqual(['toggle']);
      expect(device.counters()).toMatchObject({ accepted: 1, replayed: 1 });
    } finally {
      await Promise.all([appMux.close(), deviceMux.close(), attacker.close()]);
    }
  });

  it('carry messages both ways over the memory network', async () => {
    const { app, device, atDevice, appMux } = twoBoards();
    const atApp: string[] = [];
    app.onMessage((message) => void atApp.push(read(message)));
    app.send(text('on'));
    device.send(text('ack'));
    expect(atDevice).toEqual([]);
    await settle();
    expect(atDevice).toEqual(['on']);
    expect(atApp).toEqual(['ack']);
    expect(appMux.counters().circuits['lights@meeting-1/lamp']).toMatchObject({ sent: 1, accepted: 1 });
  });

  it('refuse a captured datagram sent again, however often, and count each', async () => {
    const { app, device, atDevice, captured, attacker } = twoBoards();
    app.send(text('toggle'));
    await settle();
    for (let i = 0; i < 3; i += 1) attacker.send(deviceAddress, captured[0]!);
    await settle();
    expect(atDevice).toEqual(['toggle']);
    expect(device.counters()).toMatchObject({ accepted: 1, replayed: 3, forged: 0 });
  });

  it('take datagrams that arrive out of order within the window, each once', async () => {
    const { capture, captured, clock, attacker, device, atDevice } = offTheWire();
    for (const word of ['one', 'two', 'three']) {
      clock.now += 0.01; // 10 µs apart: well inside the 128-sequence window
      capture(word);
    }
    for (const index of [2, 0, 1, 0, 2]) attacker.send(deviceAddress, captured[index]!);
    await settle();
    expect(atDevice).toEqual(['three', 'one', 'two']);
    expect(device.counters()).toMatchObject({ accepted: 3, replayed: 2 });
  });

  it('refuse a datagram older than the window as replayed', async () => {
    const { app, atDevice, captured, attacker, clock, device } = twoBoards();
    app.send(text('old'));
    await settle();
    clock.now += 1;
    app.send(text('new'));
    await settle();
    // The first again: 1 ms, so 1,000 sequences, below the highest, far below the 128-sequence window.
    attacker.send(deviceAddress, captured[0]!);
    await settle();
    expect(atDevice).toEqual(['old', 'new']);
    expect(device.counters()).toMatchObject({ accepted: 2, replayed: 1 });
  });

  it('refuse flipped, truncated and wrongly keyed datagrams as forged or malformed, and do not move the window for them', async () => {
    const { capture, captured, attacker, device, atDevice, network } = offTheWire();
    capture('on');
    const genuine = captured[0]!;
    const flipped = Uint8Array.from(genuine);
    flipped[20]! ^= 0x01;
    attacker.send(deviceAddress, flipped);
    attacker.send(deviceAddress, genuine.subarray(0, genuine.length - 1));
    attacker.send(deviceAddress, genuine.subarray(0, 20));
    const otherKey = new CircuitMux(network.port('127.0.0.1:47010'));
    otherKey.open({ ...lamp('127.0.0.1:47010'), key: 'e7'.repeat(32) }, 'app').send(text('off'));
    // A forged datagram with a sequence far ahead: had it moved the window, the genuine one would be refused after it.
    const ahead = Uint8Array.from(genuine);
    ahead[10] = 0xff;
    attacker.send(deviceAddress, ahead);
    await settle();
    expect(atDevice).toEqual([]);
    expect(device.counters()).toMatchObject({ accepted: 0, forged: 4, malformed: 1 });
    attacker.send(deviceAddress, genuine);
    await settle();
    expect(atDevice).toEqual(['on']);
  });

  it('count datagrams that name no circuit, or are too short to name one, on the port', async () => {
    const { attacker, deviceMux, device } = twoBoards();
    const other = new CircuitMux(attacker).open(lamp('127.0.0.1:47666', deviceAddress, 'heating@meeting-1/heater'), 'app');
    other.send(text('on'));
    attacker.send(deviceAddress, Uint8Array.of(1, 1, 3));
    attacker.send(deviceAddress, new Uint8Array(0));
    await settle();
    expect(deviceMux.counters().port).toEqual({ address: deviceAddress, unknown: 1, malformed: 2 });
    expect(device.counters()).toMatchObject({ accepted: 0, forged: 0, malformed: 0 });
  });

  it('refuse a datagram whose time is beyond the freshness bound either way as stale', async () => {
    const { app, device, atDevice, captured, attacker, clock } = twoBoards({ freshnessMs: 5_000 });
    const sentAt = clock.now;
    app.send(text('late'));
    // The receiver's clock moves on before the datagram arrives (it lay in a queue, or was held back).
    clock.now = sentAt + 5_001;
    await settle();
    expect(atDevice).toEqual([]);
    expect(device.counters()).toMatchObject({ stale: 1, accepted: 0 });
    // From a sender whose clock runs ahead of the receiver's by more than the bound.
    clock.now = sentAt + 20_000;
    app.send(text('early'));
    clock.now = sentAt + 10_000;
    await settle();
    expect(device.counters()).toMatchObject({ stale: 2, accepted: 0 });
    // Within the bound, it is taken.
    clock.now = sentAt + 24_000;
    attacker.send(deviceAddress, captured[1]!);
    await settle();
    expect(atDevice).toEqual(['early']);
  });

  it('refuse an old captured datagram at a receiver that restarted with an empty window, by staleness', async () => {
    const { app, atDevice, captured, attacker, clock, deviceMux, network } = twoBoards();
    app.send(text('unlock'));
    await settle();
    expect(atDevice).toEqual(['unlock']);
    await deviceMux.close();
    clock.now += 61_000;
    // The device board again, same key, nothing remembered.
    const rebooted = new CircuitMux(network.port(deviceAddress), { clock: () => clock.now });
    const device = rebooted.open(lamp(), 'device');
    const got: string[] = [];
    device.onMessage((message) => void got.push(read(message)));
    attacker.send(deviceAddress, captured[0]!);
    await settle();
    expect(got).toEqual([]);
    expect(device.counters()).toMatchObject({ stale: 1, replayed: 0, accepted: 0 });
    // The live sender still gets through.
    app.send(text('lock'));
    await settle();
    expect(got).toEqual(['lock']);
  });

  it('keep a restarted sender’s sequences rising, so the receiver takes what it sends next', async () => {
    const { app, appMux, atDevice, captured, clock, device, network } = twoBoards();
    for (let i = 0; i < 50; i += 1) app.send(text(`press ${i}`));
    await settle();
    await appMux.close();
    expect(app.send(text('after close'))).toBe('unavailable');
    clock.now += 10;
    const rebooted = new CircuitMux(tap(network.port(appAddress), captured), { clock: () => clock.now });
    rebooted.open(lamp(), 'app').send(text('after reboot'));
    await settle();
    expect(atDevice.at(-1)).toBe('after reboot');
    expect(device.counters()).toMatchObject({ accepted: 51, replayed: 0 });
    const sequence = (datagram: Uint8Array): bigint => new DataView(datagram.buffer, datagram.byteOffset).getBigUint64(10);
    const [before, after] = captured.slice(-2);
    expect(sequence(after ?? new Uint8Array(18))).toBeGreaterThan(sequence(before ?? new Uint8Array(18)));
  });

  it('hold messages until someone listens, dropping the oldest past capacity', async () => {
    const network = memoryDatagramNetwork();
    const appMux = new CircuitMux(network.port(appAddress));
    const deviceMux = new CircuitMux(network.port(deviceAddress), { capacity: 2 });
    const app = appMux.open(lamp(), 'app');
    const device = deviceMux.open(lamp(), 'device');
    for (const word of ['a', 'b', 'c']) app.send(text(word));
    await settle();
    const got: string[] = [];
    device.onMessage((message) => void got.push(read(message)));
    expect(got).toEqual(['b', 'c']);
    expect(device.counters()).toMatchObject({ accepted: 3, dropped: 1 });
  });

  it('give the open end again to a second opener, and a new end once it is closed', async () => {
    const { app, appMux, atDevice } = twoBoards();
    app.close();
    expect(app.send(text('closed'))).toBe('unavailable');
    const reopened = appMux.open(lamp(), 'app');
    expect(reopened).not.toBe(app);
    expect(reopened.send(text('again'))).toBe('ok');
    await settle();
    expect(atDevice).toEqual(['again']);
  });

  it('refuse a stream circuit, a duplicate, a message past maxMessageBytes, a bad peer address and a board that is neither end', () => {
    const network = memoryDatagramNetwork();
    const mux = new CircuitMux(network.port(appAddress), { maxMessageBytes: 4 });
    expect(() => mux.open({ ...lamp(), kind: 'stream' }, 'app')).toThrow(expect.objectContaining({ code: 'circuit.not-control' }));
    const app = mux.open(lamp(), 'app');
    expect(mux.end(lamp().id)).toBe(app);
    expect(mux.open(lamp(), 'app')).toBe(app);
    expect(() => mux.open(lamp(), 'device')).toThrow(expect.objectContaining({ code: 'circuit.duplicate' }));
    expect(() => mux.open({ ...lamp(), key: '00'.repeat(32) }, 'app')).toThrow(expect.objectContaining({ code: 'circuit.duplicate' }));
    expect(app.maxMessageBytes).toBe(4);
    expect(() => app.send(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'kernel.channel-too-large' }));
    expect(() => mux.open({ ...lamp(), id: 'x/y', device: { ...lamp().device, address: 'ceiling' } }, 'app')).toThrow(expect.objectContaining({ code: 'gateway.bad-address' }));
    expect(() => mux.openBoard('pi-door', [{ ...lamp(), id: 'x/z' }])).toThrow(expect.objectContaining({ code: 'circuit.not-an-end' }));
    expect(() => mux.open({ ...lamp(), id: 'x/w' }, 'app', { freshnessMs: 0 })).toThrow(expect.objectContaining({ code: 'circuit.bad-option' }));
  });
});
