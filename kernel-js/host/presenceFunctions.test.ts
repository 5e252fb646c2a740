import { describe, expect, it } from 'vitest';
import { abiCodes } from './abiCodes.js';
import type { KernelPresence } from './KernelPresence.js';
import { emptySpace } from './KernelPresence.js';
import { presenceFunctions } from './presenceFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event } = abiCodes;

/** A space whose people the test moves in and out. */
function space() {
  const people: number[] = [];
  const listeners = new Set<(change: { person: number; arrived: boolean; present: number }) => void>();
  const presence: KernelPresence = {
    people: () => [...people],
    destination: (person) => (person === 7 ? 'meeting-1' : undefined),
    publicKey: () => undefined,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const move = (person: number, arrived: boolean): void => {
    if (arrived) people.push(person);
    else people.splice(people.indexOf(person), 1);
    for (const listener of listeners) listener({ person, arrived, present: people.length });
  };
  return { presence, move };
}

describe('presenceFunctions', () => {
  it('counts and lists the people present, says where one is going, and raises Arrived and Left', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const raised: [number, number, number][] = [];
    const { presence, move } = space();
    const module = presenceFunctions({ presence, ...wasmMemoryAccess(() => memory), raise: (kind, source, value) => raised.push([kind, source, value]) });
    const call = (name: string, ...args: number[]): number => (module.functions[`presence.${name}`] ?? (() => NaN))(...args);

    expect(call('count')).toBe(0);
    move(7, true);
    move(9, true);
    expect(raised).toEqual([[event.Arrived, 7, 1], [event.Arrived, 9, 2]]);
    expect(call('count')).toBe(2);
    // Room for one handle: the first is written, the answer is how many are present.
    expect(call('list', 100, 1)).toBe(2);
    expect(new DataView(memory.buffer).getInt32(100, true)).toBe(7);
    expect(new DataView(memory.buffer).getInt32(104, true)).toBe(0);
    expect(call('list', 65_534, 2)).toBe(status.BadArgument);

    expect(call('destination', 7, 200, 16)).toBe(9);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 200, 9))).toBe('meeting-1');
    expect(call('destination', 7, 300, 4)).toBe(9); // too small: the length, nothing written
    expect(new Uint8Array(memory.buffer, 300, 4)).toEqual(new Uint8Array(4));
    expect([call('destination', 9, 200, 16), call('destination', 42, 200, 16)]).toEqual([status.NotFound, status.NotFound]);

    move(7, false);
    expect(raised.at(-1)).toEqual([event.Left, 7, 1]);
    module.close();
    move(9, false);
    expect(raised).toHaveLength(3);
  });

  it('answers an empty space before any entrance system speaks', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = presenceFunctions({ presence: emptySpace, ...wasmMemoryAccess(() => memory), raise: () => undefined });
    expect([module.functions['presence.count']?.(), module.functions['presence.list']?.(0, 8)]).toEqual([0, 0]);
  });
});
