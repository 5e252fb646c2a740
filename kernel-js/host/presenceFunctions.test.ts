import { describe, expect, it } from 'vitest';
import { abiCodes } from './abiCodes.js';
import type { KernelPresence, KernelPresenceChange } from './KernelPresence.js';
import { emptySpace } from './KernelPresence.js';
import { presenceFunctions } from './presenceFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event } = abiCodes;

/** A space whose people the test moves in and out, and expects; person 7 prefers 22.5 °C. */
function space() {
  const people: number[] = [];
  const expected: number[] = [];
  const listeners = new Set<(change: KernelPresenceChange) => void>();
  const presence: KernelPresence = {
    people: () => [...people],
    expected: () => [...expected],
    destination: (person) => (person === 7 ? 'meeting-1' : undefined),
    publicKey: () => undefined,
    preference: (person, name) => ((people.includes(person) || expected.includes(person)) && person === 7 && name === 'temperature' ? 225 : undefined),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const change = (list: number[], person: number, arrived: boolean, coming: boolean): void => {
    if (arrived) list.push(person);
    else list.splice(list.indexOf(person), 1);
    for (const listener of listeners) listener({ person, arrived, coming, present: people.length, expected: expected.length });
  };
  return {
    presence,
    move: (person: number, arrived: boolean) => change(people, person, arrived, false),
    expect: (person: number, coming: boolean) => change(expected, person, coming, true),
  };
}

function linked(presence: KernelPresence) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const raised: [number, number, number][] = [];
  const module = presenceFunctions({ presence, ...wasmMemoryAccess(() => memory), raise: (kind, source, value) => raised.push([kind, source, value]) });
  const call = (name: string, ...args: number[]): number => (module.functions[`presence.${name}`] ?? (() => NaN))(...args);
  const text = (at: number, value: string): [number, number] => {
    const bytes = new TextEncoder().encode(value);
    new Uint8Array(memory.buffer, at, bytes.length).set(bytes);
    return [at, bytes.length];
  };
  return { memory, raised, module, call, text };
}

describe('presenceFunctions', () => {
  it('counts and lists the people present, says where one is going, and raises Arrived and Left', () => {
    const { presence, move } = space();
    const { memory, raised, module, call } = linked(presence);

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

  it('lists who is expected, raises Expected and NotExpected with how many are expected, and answers their preferences', () => {
    const { presence, move, expect: coming } = space();
    const { memory, raised, call, text } = linked(presence);

    coming(7, true);
    coming(8, true);
    expect(raised).toEqual([[event.Expected, 7, 1], [event.Expected, 8, 2]]);
    expect(call('count')).toBe(0);
    expect(call('expected', 0, 0)).toBe(2); // room for none: only how many
    expect(call('expected', 400, 2)).toBe(2);
    expect([new DataView(memory.buffer).getInt32(400, true), new DataView(memory.buffer).getInt32(404, true)]).toEqual([7, 8]);
    expect(call('expected', 0, -1)).toBe(status.BadArgument);

    const temperature = text(500, 'temperature');
    // Someone expected has their preference read before they arrive; someone who stated none is NotFound.
    expect(call('preference', 7, ...temperature)).toBe(225);
    expect(call('preference', 8, ...temperature)).toBe(status.NotFound);
    expect(call('preference', 7, ...text(600, 'humidity'))).toBe(status.NotFound);
    expect(call('preference', 7, 65_530, 20)).toBe(status.BadArgument);
    const notUtf8 = 700;
    new Uint8Array(memory.buffer, notUtf8, 2).set([0xc3, 0x28]);
    expect(call('preference', 7, notUtf8, 2)).toBe(status.BadArgument);

    // Arriving where they were expected: Arrived, then NotExpected, and the preference still holds.
    move(7, true);
    coming(7, false);
    expect(raised.slice(2)).toEqual([[event.Arrived, 7, 1], [event.NotExpected, 7, 1]]);
    expect(call('preference', 7, ...temperature)).toBe(225);
    move(7, false);
    expect(call('preference', 7, ...temperature)).toBe(status.NotFound);
  });

  it('never hands a negative preference to the module, where it would read as a status', () => {
    const { call, text } = linked({ ...emptySpace, preference: () => -30 });
    expect(call('preference', 1, ...text(0, 'temperature'))).toBe(status.NotFound);
  });

  it('answers an empty space before any entrance system speaks', () => {
    const { call, text } = linked(emptySpace);
    expect([call('count'), call('list', 0, 8), call('expected', 0, 8), call('preference', 1, ...text(0, 'temperature'))]).toEqual([0, 0, 0, status.NotFound]);
  });
});
