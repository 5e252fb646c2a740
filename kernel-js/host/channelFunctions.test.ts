import { describe, expect, it } from 'vitest';
import { abiCodes } from './abiCodes.js';
import { channelFunctions, type ChannelHost } from './channelFunctions.js';
import type { KernelChannel } from './KernelChannels.js';
import { memoryChannelPair, type MemoryChannel } from './memoryChannels.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event, logLevel } = abiCodes;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** One board's channel host module over the circuits given, with its own wasm memory. */
function board(circuits: Record<string, KernelChannel>, options: Partial<Pick<ChannelHost, 'queueCapacity'>> = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const raised: [number, number, number][] = [];
  const logs: [number, string][] = [];
  const channel = channelFunctions({
    channels: { open: (name) => circuits[name] },
    ...wasmMemoryAccess(() => memory),
    raise: (kind, source, value) => void raised.push([kind, source, value]),
    log: (level, message) => void logs.push([level, message]),
    ...options,
  });
  const call = (name: string, ...args: number[]): number => (channel.functions[`channel.${name}`] ?? (() => NaN))(...args);
  const put = (ptr: number, data: Uint8Array): void => new Uint8Array(memory.buffer).set(data, ptr);
  const open = (name: string): number => {
    const bytes = text(name);
    put(60_000, bytes);
    return call('open', 60_000, bytes.length);
  };
  const send = (handle: number, message: string): number => {
    put(50_000, text(message));
    return call('send', handle, 50_000, text(message).length);
  };
  const read = (ptr: number, len: number): string => new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len));
  return { memory, raised, logs, channel, call, put, open, send, read };
}

function twoBoards(options: Parameters<typeof memoryChannelPair>[0] = {}): { door: ReturnType<typeof board>; hall: ReturnType<typeof board>; ends: [MemoryChannel, MemoryChannel] } {
  const ends = memoryChannelPair(options);
  return { door: board({ bell: ends[0] }), hall: board({ bell: ends[1] }), ends };
}

describe('channelFunctions', () => {
  it('carries a message from one board to the other over a memory pair: Message event, measure with cap 0, then receive', () => {
    const { door, hall } = twoBoards();
    const out = door.open('bell');
    const into = hall.open('bell');
    expect([out, into]).toEqual([1, 1]);
    expect(door.send(out, 'ring')).toBe(status.Ok);
    expect(door.send(out, 'ring twice')).toBe(status.Ok);
    expect(hall.raised).toEqual([
      [event.Message, into, 4],
      [event.Message, into, 4],
    ]);
    expect(hall.call('receive', into, 0, 0)).toBe(4);
    expect(hall.call('receive', into, 100, 3)).toBe(4); // does not fit: still waiting
    expect(hall.call('receive', into, 100, 4)).toBe(4);
    expect(hall.read(100, 4)).toBe('ring');
    expect(hall.call('receive', into, 200, 64)).toBe(10);
    expect(hall.read(200, 10)).toBe('ring twice');
    expect(hall.call('receive', into, 200, 64)).toBe(status.NotFound);
    expect(door.raised).toEqual([]);
  });

  it('keeps messages sent before the other board opened the channel, and answers Busy once that side is full', () => {
    const { door, hall } = twoBoards({ capacity: 2 });
    const out = door.open('bell');
    expect([door.send(out, 'a'), door.send(out, 'bb'), door.send(out, 'ccc')]).toEqual([status.Ok, status.Ok, status.Busy]);
    const into = hall.open('bell');
    expect(hall.raised).toEqual([
      [event.Message, into, 1],
      [event.Message, into, 1],
    ]);
    expect([hall.call('receive', into, 0, 8), hall.call('receive', into, 0, 8), hall.call('receive', into, 0, 8)]).toEqual([1, 2, status.NotFound]);
    expect(door.send(out, 'ccc')).toBe(status.Ok);
  });

  it("answers TooLarge past the circuit's message size, Unavailable once it is cut", () => {
    const { door, hall, ends } = twoBoards({ maxMessageBytes: 8 });
    const out = door.open('bell');
    hall.open('bell');
    expect([door.send(out, '12345678'), door.send(out, '123456789')]).toEqual([status.Ok, status.TooLarge]);
    ends[1].close();
    expect(door.send(out, 'x')).toBe(status.Unavailable);
  });

  it('answers NotFound for a name the plan has none of, BadArgument for bad text or ranges, BadHandle for an unopened handle', () => {
    const { door } = twoBoards();
    const end = door.memory.buffer.byteLength;
    expect(door.open('nope')).toBe(status.NotFound);
    door.put(0, Uint8Array.of(0x62, 0xff));
    expect([door.call('open', 0, 2), door.call('open', end - 1, 2)]).toEqual([status.BadArgument, status.BadArgument]);
    expect([door.call('send', 1, 0, 1), door.call('receive', 1, 0, 1)]).toEqual([status.BadHandle, status.BadHandle]);
    const bell = door.open('bell');
    expect(door.open('bell')).toBe(bell);
    expect([door.call('send', bell, end - 1, 2), door.call('send', bell, 0, -1), door.call('receive', bell, 0, -1)]).toEqual(Array(3).fill(status.BadArgument));
  });

  it('refuses a receive that would write outside memory without taking the message', () => {
    const { door, hall } = twoBoards();
    const out = door.open('bell');
    const into = hall.open('bell');
    door.send(out, 'hello');
    const end = hall.memory.buffer.byteLength;
    expect(hall.call('receive', into, end - 2, 5)).toBe(status.BadArgument);
    expect(hall.call('receive', into, 0, 5)).toBe(5);
  });

  it('drops the oldest waiting message past its queue, with one warning until the module receives', () => {
    const ends = memoryChannelPair();
    const door = board({ bell: ends[0] });
    const hall = board({ bell: ends[1] }, { queueCapacity: 2 });
    const out = door.open('bell');
    const into = hall.open('bell');
    for (const message of ['one', 'three', 'fifteen', 'seventeen']) door.send(out, message);
    expect(hall.logs).toEqual([[logLevel.Warn, expect.stringContaining('2 messages wait unreceived')]]);
    expect(hall.raised.at(-1)).toEqual([event.Message, into, 7]);
    expect([hall.call('receive', into, 0, 64), hall.call('receive', into, 0, 64), hall.call('receive', into, 0, 64)]).toEqual([7, 9, status.NotFound]);
  });

  it('stops listening on close', () => {
    const { door, hall } = twoBoards();
    const out = door.open('bell');
    hall.open('bell');
    hall.channel.close();
    expect(door.send(out, 'anyone?')).toBe(status.Ok); // kept for whoever listens next
    expect(hall.raised).toEqual([]);
    expect(hall.call('receive', 1, 0, 64)).toBe(status.BadHandle);
  });
});
