import { describe, expect, it } from 'vitest';
import { SerialLine, simSerialPair, type Serial } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { serialFunctions, type SerialHost } from './serialFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event, logLevel } = abiCodes;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function board(options: Partial<Pick<SerialHost, 'receiveCapacity' | 'sendCapacity'>> = {}) {
  const [boardEnd, peer] = simSerialPair();
  const line = new SerialLine({ bus: boardEnd, port: 'serial0' });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const raised: [number, number, number][] = [];
  const logs: [number, string][] = [];
  const fromPeer: string[] = [];
  peer.onData((bytes) => fromPeer.push(new TextDecoder().decode(bytes)));
  const serial = serialFunctions({
    serials: new Map<number, Serial>([[1, line]]),
    ...wasmMemoryAccess(() => memory),
    raise: (kind, source, value) => raised.push([kind, source, value]),
    log: (level, message) => logs.push([level, message]),
    ...options,
  });
  const call = (name: string, ...args: number[]): number => (serial.functions[`serial.${name}`] ?? (() => NaN))(...args);
  const view = (ptr: number, len: number): string => new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len));
  return { serial, peer, line, memory, raised, logs, fromPeer, call, view };
}

describe('serialFunctions', () => {
  it('buffers what the peripheral sends, raises Serial with the bytes waiting, and moves it into wasm memory in order', async () => {
    const { peer, raised, call, view } = board();
    await peer.write(text('hello'));
    await peer.write(text(' world'));
    await settle();
    expect(raised).toEqual([
      [event.Serial, 1, 5],
      [event.Serial, 1, 11],
    ]);
    expect(call('read', 1, 100, 7)).toBe(7);
    expect(view(100, 7)).toBe('hello w');
    expect(call('read', 1, 200, 64)).toBe(4);
    expect(view(200, 4)).toBe('orld');
    expect(call('read', 1, 200, 64)).toBe(0);
  });

  it('sends what the module wrote to the peripheral and takes no more than the send queue holds', async () => {
    const { memory, call, fromPeer } = board({ sendCapacity: 6 });
    new Uint8Array(memory.buffer).set(text('ping pong'), 10);
    expect(call('write', 1, 10, 4)).toBe(4);
    // Two bytes of room left until the first write settles.
    expect(call('write', 1, 14, 5)).toBe(2);
    expect(call('write', 1, 16, 3)).toBe(0);
    await settle();
    expect(fromPeer.join('')).toBe('ping p');
    expect(call('write', 1, 16, 3)).toBe(3);
    await settle();
    expect(fromPeer.join('')).toBe('ping pong');
  });

  it('drops the oldest bytes past its receive capacity, logging once until the module reads', async () => {
    const { peer, call, view, logs } = board({ receiveCapacity: 8 });
    for (const chunk of ['abcd', 'efgh', 'ijkl', 'mn']) await peer.write(text(chunk));
    await settle();
    expect(logs.filter(([level]) => level === logLevel.Warn)).toHaveLength(1);
    expect(call('read', 1, 0, 100)).toBe(8);
    expect(view(0, 8)).toBe('ghijklmn');
  });

  it('answers BadHandle for a handle that is not a serial port and BadArgument for ranges outside memory', async () => {
    const { peer, memory, call } = board();
    await peer.write(text('xy'));
    await settle();
    const end = memory.buffer.byteLength;
    expect([call('read', 2, 0, 4), call('write', 2, 0, 4)]).toEqual([status.BadHandle, status.BadHandle]);
    expect([call('read', 1, end - 1, 4), call('read', 1, 0, -1), call('write', 1, end - 2, 4), call('write', 1, -4, 4), call('write', 1, 0, -1)]).toEqual(Array(5).fill(status.BadArgument));
    // A refused read takes nothing off the queue.
    expect(call('read', 1, end - 2, 4)).toBe(2);
  });

  it('stops listening on close', async () => {
    const { serial, peer, raised, call } = board();
    serial.close();
    await peer.write(text('late'));
    await settle();
    expect(raised).toEqual([]);
    expect(call('read', 1, 0, 8)).toBe(status.BadHandle);
  });

  it('logs a write the driver refuses after the module had its answer', async () => {
    const { line, memory, call, logs } = board();
    await line.close();
    new Uint8Array(memory.buffer).set(text('abc'));
    expect(call('write', 1, 0, 3)).toBe(3);
    await settle();
    expect(logs).toEqual([[logLevel.Error, expect.stringContaining('3 bytes were not sent: serial serial0 is closed')]]);
  });
});
