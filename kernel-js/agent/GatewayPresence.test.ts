import { describe, expect, it } from 'vitest';
import type { KernelPresenceChange } from '../host/KernelPresence.js';
import type { PresentPerson } from '../net/gatewayTypes.js';
import { GatewayPresence } from './GatewayPresence.js';

const person = (handle: number, destination = '', key: number[] = [], temperature?: number): PresentPerson => ({
  handle,
  destination,
  publicKey: new Uint8Array(key),
  ...(temperature === undefined ? {} : { preferences: { temperature } }),
});

/** `+7=1/0`: arrived, present and expected after; `>7`: now expected; `<7`: no longer; `-7`: left. */
const line = ({ person: who, arrived, coming, present, expected }: KernelPresenceChange): string => `${coming ? (arrived ? '>' : '<') : arrived ? '+' : '-'}${who}=${present}/${expected}`;

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

  it('keeps who is expected apart from who is present, with their preferences in tenths of a degree', () => {
    const presence = new GatewayPresence();
    const told: string[] = [];
    presence.onChange((change) => told.push(line(change)));
    presence.apply({ person: person(4, 'meeting-1', [1], 22.5), arrived: true, coming: true });
    presence.apply({ person: person(5, 'meeting-1'), arrived: true, coming: true });
    expect([presence.people(), presence.expected()]).toEqual([[], [4, 5]]);
    expect(presence.preference(4, 'temperature')).toBe(225);
    expect([presence.preference(5, 'temperature'), presence.preference(4, 'humidity'), presence.preference(6, 'temperature')]).toEqual([undefined, undefined, undefined]);
    // The key is for those present only: nobody's group key is bound to someone not in the room.
    expect(presence.publicKey(4)).toBeUndefined();
    // Expected again with the same details: nothing; with another preference: told again.
    presence.apply({ person: person(4, 'meeting-1', [1], 22.5), arrived: true, coming: true });
    presence.apply({ person: person(4, 'meeting-1', [1], 19), arrived: true, coming: true });
    expect(presence.preference(4, 'temperature')).toBe(190);
    // 4 arrives: present, then no longer expected; the preference holds throughout.
    presence.apply({ person: person(4, 'meeting-1', [1], 19), arrived: true });
    presence.apply({ person: person(4), arrived: false, coming: true });
    expect(presence.preference(4, 'temperature')).toBe(190);
    presence.apply({ person: person(9), arrived: false, coming: true });
    expect(told).toEqual(['>4=0/1', '>5=0/2', '>4=0/2', '+4=1/2', '<4=1/1']);
    presence.clear();
    expect(told.slice(5)).toEqual(['-4=0/1', '<5=0/0']);
    expect([presence.people(), presence.expected(), presence.preference(4, 'temperature')]).toEqual([[], [], undefined]);
  });
});
