import { describe, expect, it } from 'vitest';
import type { PresenceChange } from '../../kernel-js/net/gatewayTypes.js';
import { PresenceDirectory } from './PresenceDirectory.js';

const key = (byte: number): Uint8Array => new Uint8Array([byte, byte, byte]);
const none = new Uint8Array();

/** `+7` arrived, `-7` left, `>7` now expected, `<7` no longer expected. */
function summary(changes: readonly PresenceChange[]): string[] {
  return changes.map((change) => `${change.coming === true ? (change.arrived ? '>' : '<') : change.arrived ? '+' : '-'}${change.person.handle}`);
}

describe('PresenceDirectory', () => {
  it('keeps each space apart, in arrival order, and tells only that space’s watchers', () => {
    const directory = new PresenceDirectory();
    const meeting: PresenceChange[] = [];
    const corridor: PresenceChange[] = [];
    directory.watch('meeting-1', (change) => meeting.push(change));
    const stopCorridor = directory.watch('corridor', (change) => corridor.push(change));
    directory.arrive('meeting-1', { handle: 3, destination: 'meeting-1', publicKey: key(3) });
    directory.arrive('corridor', { handle: 9, destination: 'meeting-2', publicKey: none });
    directory.arrive('meeting-1', { handle: 1, destination: '', publicKey: key(1) });
    expect(directory.people('meeting-1').map((person) => person.handle)).toEqual([3, 1]);
    expect(directory.people('corridor').map((person) => person.handle)).toEqual([9]);
    expect(summary(meeting)).toEqual(['+3', '+1']);
    expect(meeting[0]?.person).toEqual({ handle: 3, destination: 'meeting-1', publicKey: key(3) });
    stopCorridor();
    directory.leave('corridor', 9);
    expect(summary(corridor)).toEqual(['+9']);
    expect([...directory.spaces().keys()]).toEqual(['meeting-1']);
  });

  it('set: those no longer listed leave first, then the new and the changed arrive; the same list again changes nothing', () => {
    const directory = new PresenceDirectory();
    const changes: PresenceChange[] = [];
    directory.watch('meeting-1', (change) => changes.push(change));
    directory.set('meeting-1', [
      { handle: 1, destination: 'meeting-1', publicKey: key(1) },
      { handle: 2, destination: 'meeting-1', publicKey: key(2) },
    ]);
    const next = [
      { handle: 2, destination: 'meeting-1', publicKey: key(22) },
      { handle: 3, destination: 'meeting-1', publicKey: key(3) },
    ];
    directory.set('meeting-1', next);
    expect(summary(changes)).toEqual(['+1', '+2', '-1', '-2', '+2', '+3']);
    expect(directory.people('meeting-1')).toEqual(next);
    directory.set('meeting-1', next);
    expect(changes).toHaveLength(6);
    // A departure carries no key or destination of the person who left.
    expect(changes[2]?.person).toEqual({ handle: 1, destination: '', publicKey: none });
    directory.clear('meeting-1');
    expect(summary(changes.slice(6))).toEqual(['-2', '-3']);
    expect(directory.people('meeting-1')).toEqual([]);
  });

  it('keeps its own copy of a key, so the caller cannot change it afterwards', () => {
    const directory = new PresenceDirectory();
    const publicKey = key(5);
    directory.arrive('meeting-1', { handle: 5, destination: '', publicKey });
    publicKey[0] = 0;
    expect(directory.people('meeting-1')[0]?.publicKey).toEqual(key(5));
  });

  it('refuses a handle the presence ABI cannot carry, and a list naming someone twice, before changing anything', () => {
    const directory = new PresenceDirectory();
    directory.set('meeting-1', [{ handle: 1, destination: '', publicKey: none }]);
    for (const handle of [0, -1, 2 ** 31, 1.5, Number.NaN]) {
      expect(() => directory.set('meeting-1', [{ handle: 4, destination: '', publicKey: none }, { handle, destination: '', publicKey: none }])).toThrow(expect.objectContaining({ code: 'presence.bad-person' }));
    }
    expect(() => directory.set('meeting-1', [{ handle: 4, destination: '', publicKey: none }, { handle: 4, destination: 'x', publicKey: none }])).toThrow(expect.objectContaining({ code: 'presence.duplicate-person' }));
    expect(directory.people('meeting-1').map((person) => person.handle)).toEqual([1]);
  });

  it('tells a space’s watchers who is expected there and who no longer is, apart from who is in it', () => {
    const directory = new PresenceDirectory();
    const meeting: PresenceChange[] = [];
    const corridor: PresenceChange[] = [];
    directory.watch('meeting-1', (change) => meeting.push(change));
    directory.watch('corridor', (change) => corridor.push(change));
    const ada = { handle: 3, destination: 'meeting-1', publicKey: key(3), preferences: { temperature: 22.5 } };
    directory.arrive('corridor', ada);
    directory.expect('meeting-1', ada);
    directory.expect('meeting-1', { handle: 4, destination: 'meeting-1', publicKey: none });
    expect(directory.expected('meeting-1').map((person) => person.handle)).toEqual([3, 4]);
    expect(directory.people('meeting-1')).toEqual([]);
    expect(meeting[0]).toEqual({ person: ada, arrived: true, coming: true });
    // The same expectation again is nothing; another preference is told again, without a NotExpected.
    directory.expect('meeting-1', ada);
    directory.expect('meeting-1', { ...ada, preferences: { temperature: 20 } });
    expect(summary(meeting)).toEqual(['>3', '>4', '>3']);
    expect(meeting[2]?.person.preferences).toEqual({ temperature: 20 });
    // 4 goes elsewhere; 3 walks in: the arrival first, then the end of the expectation.
    directory.unexpect('meeting-1', 4);
    directory.unexpect('meeting-1', 4);
    directory.leave('corridor', 3);
    directory.arrive('meeting-1', ada);
    expect(summary(meeting)).toEqual(['>3', '>4', '>3', '<4', '+3', '<3']);
    expect(meeting[3]).toEqual({ person: { handle: 4, destination: '', publicKey: none }, arrived: false, coming: true });
    expect(directory.expected('meeting-1')).toEqual([]);
    expect([...directory.expectations().keys()]).toEqual([]);
    expect(summary(corridor)).toEqual(['+3', '-3']);
    // Clearing a space leaves its expectations be; forget ends both, everywhere.
    directory.expect('meeting-1', { handle: 5, destination: 'meeting-1', publicKey: none });
    directory.clear('meeting-1');
    expect(directory.expected('meeting-1').map((person) => person.handle)).toEqual([5]);
    directory.arrive('corridor', { handle: 5, destination: 'meeting-1', publicKey: none });
    directory.forget(5);
    expect(directory.expected('meeting-1')).toEqual([]);
    expect(directory.people('corridor')).toEqual([]);
    expect(summary(meeting).slice(-3)).toEqual(['>5', '-3', '<5']);
    expect(summary(corridor).slice(-2)).toEqual(['+5', '-5']);
  });

  it('keeps preferences with the person, in its own copy, and refuses a temperature outside 5 to 35 °C', () => {
    const directory = new PresenceDirectory();
    const preferences = { temperature: 21.5 };
    directory.arrive('meeting-1', { handle: 1, destination: '', publicKey: none, preferences });
    preferences.temperature = 30;
    expect(directory.people('meeting-1')[0]?.preferences).toEqual({ temperature: 21.5 });
    const changes: PresenceChange[] = [];
    directory.watch('meeting-1', (change) => changes.push(change));
    // A new preference while present: they leave and arrive again, so every copy follows.
    directory.arrive('meeting-1', { handle: 1, destination: '', publicKey: none, preferences: { temperature: 23 } });
    expect(summary(changes)).toEqual(['-1', '+1']);
    for (const temperature of [4.9, 35.1, Number.NaN, Number.POSITIVE_INFINITY, -20]) {
      expect(() => directory.expect('meeting-1', { handle: 2, destination: '', publicKey: none, preferences: { temperature } })).toThrow(expect.objectContaining({ code: 'presence.bad-preference' }));
      expect(() => directory.arrive('meeting-1', { handle: 2, destination: '', publicKey: none, preferences: { temperature } })).toThrow(expect.objectContaining({ code: 'presence.bad-preference' }));
    }
    expect(() => directory.expect('meeting-1', { handle: 0, destination: '', publicKey: none })).toThrow(expect.objectContaining({ code: 'presence.bad-person' }));
    expect(directory.expected('meeting-1')).toEqual([]);
    expect(directory.people('meeting-1').map((person) => person.handle)).toEqual([1]);
  });
});
