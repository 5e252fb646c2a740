import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The heating app on a fake board: a heater relay, the presence of its room and a clock the
// test sets. The relay is on (comfort) while anyone is present or arriving, and in the
// morning preheat window (07:00 to 09:00 local by default); off (setback) otherwise.
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
  const board = new FakeBoard({ devices: { heater: HEATER }, now: AFTERNOON, ...options });
  const heating = board.link(app.module, modules);
  const tick = () => {
    const timer = board.timers[0];
    if (timer === undefined) throw new Error('no timer was set');
    return heating.handle(EventKind.Timer, timer.id, 0);
  };
  return { board, heating, tick, writes: () => board.callsOf('gpio.write').map(([, level]) => level) };
}

describe('the heating app', () => {
  it('imports clock, config, gpio, log and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    expect(app.functions).toContain('presence.count');
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('starts in setback when nobody is there outside the preheat window, and sets one repeating timer', () => {
    const { board, heating } = boot();
    expect(heating.start()).toBe(Status.Ok);
    expect(board.calls).toEqual([['presence.count'], ['gpio.write', HEATER, 0]]);
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
    // The arrival alone decides: presence is not even asked.
    board.people = [];
    expect(heating.handle(EventKind.Arrived, 11, 1)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]);
    expect(heating.handle(EventKind.Arrived, 12, 2)).toBe(Status.Ok);
    expect(heating.handle(EventKind.Left, 11, 1)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1]); // already on: the relay is not written again
    expect(heating.handle(EventKind.Left, 12, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([0, 1, 0]);
    expect(board.callsOf('presence.count')).toHaveLength(1); // the one at start
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
    const { board, heating, tick, writes } = boot({ now: at(8, 30) });
    heating.start();
    board.now = at(8, 45);
    expect(heating.handle(EventKind.Arrived, 31, 1)).toBe(Status.Ok);
    expect(heating.handle(EventKind.Left, 31, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
    board.people = [32];
    board.now = at(9, 30);
    expect(tick()).toBe(Status.Ok);
    expect(writes()).toEqual([1]);
    expect(heating.handle(EventKind.Left, 32, 0)).toBe(Status.Ok);
    expect(writes()).toEqual([1, 0]);
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
    expect(writes()).toEqual([1]);
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
    for (const kind of [EventKind.Press, EventKind.Release, EventKind.Message, EventKind.Audio, EventKind.Serial]) {
      expect(heating.handle(kind, HEATER, 0)).toBe(Status.Ignored);
    }
    expect(board.calls).toHaveLength(before);
  });
});
