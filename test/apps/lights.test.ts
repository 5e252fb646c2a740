import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, type CompiledApp, type FakeBoardOptions, modulesItLinksWithout, type ModuleName, Status } from './fakeHost.js';

// The lights app on a fake board: a button, a lamp and the presence of its space. Debouncing
// is the gpio-in driver's, so the app sees one Press per press and must toggle on each,
// whatever the releases do. Someone expected or arriving lights the lamp; the last one gone,
// with nobody expected, puts it out.
const BUTTON = 4;
const LAMP = 7;
const modules: readonly ModuleName[] = ['config', 'gpio', 'log', 'presence'];

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('lights');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({ devices: { button: BUTTON, lamp: LAMP }, ...options });
  const lights = board.link(app.module, modules);
  return { board, lights };
}

describe('the lights app', () => {
  it('imports config, gpio, log and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    expect(app.functions).toEqual(['config.device', 'gpio.write', 'log.write', 'presence.count', 'presence.expected']);
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('turns the lamp on at the first press, off at the second, and so on', () => {
    const { board, lights } = boot();
    expect(lights.start()).toBeUndefined(); // no start export: nothing happens until a press
    for (const level of [1, 0, 1, 0]) {
      expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Ok);
      expect(board.calls.at(-1)).toEqual(['gpio.write', LAMP, level]);
    }
    expect(board.calls).toHaveLength(4);
  });

  it('ignores releases between presses: each press toggles once', () => {
    const { board, lights } = boot();
    const events = [EventKind.Press, EventKind.Release, EventKind.Release, EventKind.Press, EventKind.Release, EventKind.Press];
    const answers = events.map((kind) => lights.handle(kind, BUTTON, 0));
    expect(answers).toEqual([Status.Ok, Status.Ignored, Status.Ignored, Status.Ok, Status.Ignored, Status.Ok]);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1], [LAMP, 0], [LAMP, 1]]);
  });

  it('ignores other devices and other events', () => {
    const { board, lights } = boot();
    expect(lights.handle(EventKind.Press, LAMP, 0)).toBe(Status.Ignored);
    expect(lights.handle(EventKind.Press, 99, 0)).toBe(Status.Ignored);
    for (const kind of [EventKind.Timer, EventKind.Message, EventKind.Audio, EventKind.Serial, 99]) {
      expect(lights.handle(kind, BUTTON, 1)).toBe(Status.Ignored);
    }
    expect(board.calls).toEqual([]);
    expect(board.logs).toEqual([]);
  });

  it('lights the lamp for someone expected, before they arrive, and puts it out when nobody is in or expected', () => {
    const { board, lights } = boot();
    board.expected = [31];
    expect(lights.handle(EventKind.Expected, 31, 1)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1]]);
    // They arrive (Arrived, then NotExpected): the lamp stays on, and is not written again.
    board.people = [31];
    expect(lights.handle(EventKind.Arrived, 31, 1)).toBe(Status.Ok);
    board.expected = [];
    expect(lights.handle(EventKind.NotExpected, 31, 0)).toBe(Status.Ok);
    // Someone else is on their way when the first leaves: still lit.
    board.expected = [32];
    expect(lights.handle(EventKind.Expected, 32, 1)).toBe(Status.Ok);
    board.people = [];
    expect(lights.handle(EventKind.Left, 31, 0)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1]]);
    // They go elsewhere: nobody in, nobody expected, off.
    board.expected = [];
    expect(lights.handle(EventKind.NotExpected, 32, 0)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1], [LAMP, 0]]);
    // An arrival nobody announced lights it too; the last departure puts it out.
    board.people = [33];
    expect(lights.handle(EventKind.Arrived, 33, 1)).toBe(Status.Ok);
    board.people = [];
    expect(lights.handle(EventKind.Left, 33, 0)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1], [LAMP, 0], [LAMP, 1], [LAMP, 0]]);
  });

  it('leaves the button in charge: a press turns off what presence lit, and the next one expected lights it again', () => {
    const { board, lights } = boot({ people: [41] });
    expect(lights.handle(EventKind.Arrived, 41, 1)).toBe(Status.Ok);
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Ok);
    board.expected = [42];
    expect(lights.handle(EventKind.Expected, 42, 1)).toBe(Status.Ok);
    board.people = [];
    // Someone is still expected: the departure leaves the lamp on.
    expect(lights.handle(EventKind.Left, 41, 0)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1], [LAMP, 0], [LAMP, 1]]);
  });

  it('leaves the lamp as it is when presence cannot be read as someone leaves', () => {
    const { board, lights } = boot({ people: [51] });
    lights.handle(EventKind.Arrived, 51, 1);
    board.people = [];
    board.fail('presence.expected', Status.Unavailable);
    expect(lights.handle(EventKind.Left, 51, 0)).toBe(Status.Unavailable);
    board.fail('presence.count', Status.Failed);
    expect(lights.handle(EventKind.NotExpected, 52, 0)).toBe(Status.Failed);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1]]);
  });

  it('returns the failure of a write, and keeps its state true to the lamp', () => {
    const { board, lights } = boot();
    board.fail('gpio.write', Status.Failed);
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Failed);
    board.fail('gpio.write', Status.Unavailable);
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Unavailable);
    board.fail('gpio.write', undefined);
    // The lamp never came on, so every press so far asked for on, and the next one gets it.
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Ok);
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Ok);
    expect(board.callsOf('gpio.write')).toEqual([[LAMP, 1], [LAMP, 1], [LAMP, 1], [LAMP, 0]]);
  });

  it('answers NotFound, touching nothing, when the board has no lamp bound to it', () => {
    const { board, lights } = boot({ devices: { button: BUTTON } });
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.NotFound);
    expect(board.calls).toEqual([]);
  });

  it('ignores presses when the board has no button bound to it', () => {
    const { board, lights } = boot({ devices: { lamp: LAMP } });
    // An unbound alias has no handle, so no event can be its.
    expect(lights.handle(EventKind.Press, -1, 0)).toBe(Status.Ignored);
    expect(lights.handle(EventKind.Press, BUTTON, 0)).toBe(Status.Ignored);
    expect(board.calls).toEqual([]);
  });
});
