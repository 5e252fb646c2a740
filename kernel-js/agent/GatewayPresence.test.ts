import { describe, expect, it } from 'vitest';
import { GatewayPresence } from './GatewayPresence.js';

const person = (handle: number, destination = '', key: number[] = []): { handle: number; destination: string; publicKey: Uint8Array } => ({ handle, destination, publicKey: new Uint8Array(key) });

describe('GatewayPresence', () => {
  it('answers as the presence host module asks, from the changes the gateway pushed', () => {
    const presence = new GatewayPresence();
    const told: string[] = [];
    const stop = presence.onChange(({ person: who, arrived, present }) => told.push(`${arrived ? '+' : '-'}${who}=${present}`));
    presence.apply({ person: person(4, 'meeting-1', [1, 2]), arrived: true });
    presence.apply({ person: person(9), arrived: true });
    expect(presence.people()).toEqual([4, 9]);
    expect(presence.destination(4)).toBe('meeting-1');
    expect(presence.publicKey(4)).toEqual(new Uint8Array([1, 2]));
    // Empty on the wire means unknown.
    expect(presence.destination(9)).toBeUndefined();
    expect(presence.publicKey(9)).toBeUndefined();
    expect(presence.destination(5)).toBeUndefined();
    // An arrival of someone present updates them without a second event; a departure of nobody is nothing.
    presence.apply({ person: person(4, 'meeting-2', [3]), arrived: true });
    presence.apply({ person: person(5), arrived: false });
    expect(presence.destination(4)).toBe('meeting-2');
    presence.apply({ person: person(4), arrived: false });
    expect(told).toEqual(['+4=1', '+9=2', '-4=1']);
    stop();
    presence.apply({ person: person(6), arrived: true });
    expect(told).toHaveLength(3);
  });

  it('empties on clear, telling each departure, oldest arrival first', () => {
    const presence = new GatewayPresence();
    for (const handle of [3, 1, 2]) presence.apply({ person: person(handle), arrived: true });
    const told: string[] = [];
    presence.onChange(({ person: who, arrived, present }) => told.push(`${arrived ? '+' : '-'}${who}=${present}`));
    presence.clear();
    expect(told).toEqual(['-3=2', '-1=1', '-2=0']);
    expect(presence.people()).toEqual([]);
  });
});
