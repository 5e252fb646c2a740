import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, LogLevel, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The heating app on a fake board: a heater relay, the presence of its room (who is in it, who
// is expected, what each prefers) and a clock the test sets. The relay is on (comfort) while
// anyone is present, arriving or expected, and in the morning preheat window (07:00 to 09:00
// local by default); off (setback) otherwise. The comfort target is logged.
const HEATER = 5;
const modules: readonly ModuleName[] = ['clock', 'config', 'gpio', 'log', 'presence'];
const at = (hour: number, minute = 0) => Date.UTC(2025, 0, 15, hour, minute);
const NIGHT = at(3);
const AFTERNOON = at(15);

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('heating');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({ devices: { heater: HEATER }, config: { 'space.id': 'meeting-1' }, now: AFTERNOON, ...options });
  const heating = board.link(app.module, modules);
  const tick = () => {
    const timer = board.timers[0];
    if (timer === undefined) throw new Error('no timer was set');
    return heating.handle(EventKind.Timer, timer.id, 0);
  };
  return { board, heating, tick, writes: () => board.callsOf('gpio.write').map(([, level]) => level), said: () => board.logs.map((line) => line.text) };
}

describe('the heating app', () => {
  it('imports clock, config, gpio, log and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    expect(app.functions).toEqual(['clock.now', 'clock.setTimer', 'clock.utcOffset', 'config.device', 'config.read', 'gpio.write', 'log.write', 'presence.count', 'presence.expected', 'presence.list', 'presence.preference'].sort());
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('starts in setback when nobody is there outside the preheat window, and sets one repeating timer', () => {
    const { board, heating } = boot();
    expect(heating.start()).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[HEATER, 0]]);
    expect(board.timers).toHaveLength(1);
    expect(board.timers[0]?.period).toBeGreaterThan(0);
  });

  it('starts in comfort when people are already there', () => {
    const { heating, writes } = boot({ people: [11, 12] });
    expect(heating.start()).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
  });

  it('heats from the moment someone arrives, and goes to setback when the last one leaves', () => {
    const { board, heating, writes } = boot();
    heating.start();
    // The arrival alone decides, even before presence lists the person.
    board.people = [];
    expect(heating.handle(EventKind.Arrived, 11, 1)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    board.people = [11, 12];
    expect(heating.handle(EventKind.Arrived, 12, 2)).toBe(Status.Ok);
    board.people = [12];
    expect(heating.handle(EventKind.Left, 11, 1)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]); // already on: the relay is not written again
    board.people = [];
    expect(heating.handle(EventKind.Left, 12, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1, 0]);
  });

  it('preheats for someone expected before they arrive, and goes to setback when nobody is present or expected', () => {
    const { board, heating, writes, said } = boot();
    heating.start();
    board.expected = [21];
    expect(heating.handle(EventKind.Expected, 21, 1)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    // They arrive: Arrived, then NotExpected; the heater stays on throughout.
    board.people = [21];
    expect(heating.handle(EventKind.Arrived, 21, 1)).toBe(Status.Ok);
    board.expected = [];
    expect(heating.handle(EventKind.NotExpected, 21, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    // Someone else is expected, then goes elsewhere while the first is still in: still comfort.
    board.expected = [22];
    expect(heating.handle(EventKind.Expected, 22, 1)).toBe(Status.Ok);
    board.expected = [];
    expect(heating.handle(EventKind.NotExpected, 22, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    board.people = [];
    expect(heating.handle(EventKind.Left, 21, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1, 0]);
    // Expected, then not (they went elsewhere) with nobody in: setback at once.
    board.expected = [23];
    expect(heating.handle(EventKind.Expected, 23, 1)).toBe(Status.Ok);
    board.expected = [];
    expect(heating.handle(EventKind.NotExpected, 23, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1, 0, 1, 0]);
    expect(said()).toEqual([
      'meeting-1: setback',
      'meeting-1: comfort 21.0 °C for 1 person',
      'meeting-1: comfort 21.0 °C for 2 people',
      'meeting-1: comfort 21.0 °C for 1 person',
      'meeting-1: setback',
      'meeting-1: comfort 21.0 °C for 1 person',
      'meeting-1: setback',
    ]);
  });

  it('aims at the highest temperature preferred by those present or expected, and logs each change of target once', () => {
    const { board, heating, tick, said } = boot({ preferences: { 31: { temperature: 225 }, 32: { temperature: 195 }, 33: { temperature: 240 } } });
    heating.start();
    board.people = [31];
    heating.handle(EventKind.Arrived, 31, 1);
    board.expected = [32];
    heating.handle(EventKind.Expected, 32, 1);
    tick(); // nothing changed: nothing logged
    board.expected = [32, 33];
    heating.handle(EventKind.Expected, 33, 2);
    board.expected = [32];
    heating.handle(EventKind.NotExpected, 33, 1);
    board.people = [];
    heating.handle(EventKind.Left, 31, 0);
    expect(said()).toEqual([
      'meeting-1: setback',
      'meeting-1: comfort 22.5 °C for 1 person',
      'meeting-1: comfort 22.5 °C for 2 people',
      'meeting-1: comfort 24.0 °C for 3 people',
      'meeting-1: comfort 22.5 °C for 2 people',
      // Only someone who prefers it cooler is left, and they are not in yet.
      'meeting-1: comfort 19.5 °C for 1 person',
    ]);
    expect(board.logs.every((line) => line.level === LogLevel.Info)).toBe(true);
  });

  it('takes its default comfort from its settings', () => {
    const { heating, said } = boot({ people: [41], config: { 'space.id': 'open-space', 'settings.comfort': '205' } });
    heating.start();
    expect(said()).toEqual(['open-space: comfort 20.5 °C for 1 person']);
  });

  it('follows presence at each tick, in case an event was missed', () => {
    const { board, heating, tick, writes } = boot();
    heating.start();
    board.people = [21];
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    expect(tick()).toBe(Status.Ok);
    board.people = [];
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1, 0]);
  });

  it('preheats in the morning window with nobody there, and stops when it closes', () => {
    const { board, heating, tick, writes } = boot({ now: at(6, 59) });
    heating.start();
    board.now = at(7);
    tick();
    board.now = at(8, 59);
    tick();
    board.now = at(9);
    tick();
    expect(writes()).toEqual([0, 1, 0]);
  });

  it('keeps comfort when someone leaves during the window, and after it while people stay', () => {
    const { board, heating, tick, writes, said } = boot({ now: at(8, 30) });
    heating.start();
    board.now = at(8, 45);
    expect(heating.handle(EventKind.Arrived, 31, 1)).toBe(Status.Ok);
    expect(heating.handle(EventKind.Left, 31, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
    board.people = [32];
    board.now = at(9, 30);
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
    board.people = [];
    expect(heating.handle(EventKind.Left, 32, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([1, 0]);
    expect(said()[0]).toBe('meeting-1: comfort 21.0 °C, preheating');
  });

  it('reads the window in local time', () => {
    // 06:30 UTC is 07:30 in a building one hour ahead of UTC: preheating.
    const ahead = boot({ now: at(6, 30), utcOffset: 60 });
    ahead.heating.start();
    expect(ahead.writes()).toEqual([1]);
    const utc = boot({ now: at(6, 30) });
    utc.heating.start();
    expect(utc.writes()).toEqual([0]);
  });

  it('takes the window from its settings when the configuration has them', () => {
    const { heating, writes } = boot({ now: NIGHT, config: { 'settings.preheatFrom': '2', 'settings.preheatUntil': '4' } });
    heating.start();
    expect(writes()).toEqual([1]);
  });

  it('keeps the heater as it is and returns the failure when presence cannot be read', () => {
    const { board, heating, tick, writes } = boot({ people: [41] });
    board.fail('presence.count', Status.Unavailable);
    expect(heating.start()).toBe(Status.Unavailable);
    expect(writes()).toEqual([]);
    board.fail('presence.count', undefined);
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
    board.fail('presence.count', Status.Failed);
    board.people = [];
    expect(tick()).toBe(Status.Failed);
    expect(heating.handle(EventKind.Left, 41, 0)).toBe(Status.Failed);
    board.fail('presence.count', undefined);
    board.fail('presence.expected', Status.Unavailable);
    expect(heating.handle(EventKind.NotExpected, 42, 0)).toBe(Status.Unavailable);
    expect(writes()).toEqual([1]);
    // An arrival or an expectation still means comfort.
    const cold = boot();
    cold.board.fail('presence.count', Status.Failed);
    cold.board.fail('presence.expected', Status.Failed);
    expect(cold.heating.handle(EventKind.Expected, 43, 1)).toBe(Status.Ok);
    expect(cold.writes()).toEqual([1]);
  });

  it('returns a failed write, and tries again at the next tick', () => {
    const { board, heating, tick, writes } = boot({ people: [51] });
    board.fail('gpio.write', Status.Failed);
    expect(heating.start()).toBe(Status.Failed);
    expect(tick()).toBe(Status.Failed);
    board.fail('gpio.write', undefined);
    expect(tick()).toBe(Status.Ok);
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([1, 1, 1]);
  });

  it('answers NotFound when no heater is bound to it', () => {
    const { board, heating, tick } = boot({ devices: {} });
    expect(heating.start()).toBe(Status.NotFound);
    expect(heating.handle(EventKind.Arrived, 61, 1)).toBe(Status.NotFound);
    expect(tick()).toBe(Status.NotFound);
    expect(board.callsOf('gpio.write')).toEqual([]);
  });

  it('ignores other timers and events not meant for it', () => {
    const { board, heating } = boot();
    heating.start();
    const before = board.calls.length;
    const timer = board.timers[0]?.id ?? 0;
    expect(heating.handle(EventKind.Timer, timer + 1, 0)).toBe(Status.Ignored);
    for (const kind of [EventKind.Press, EventKind.Release, EventKind.Message, EventKind.Audio, EventKind.Serial, 99]) {
      expect(heating.handle(kind, HEATER, 0)).toBe(Status.Ignored);
    }
    expect(board.calls).toHaveLength(before);
  });
});
