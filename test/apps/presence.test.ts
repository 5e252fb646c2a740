import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The presence app on a fake entrance board: a screen and a directional speaker, and the
// entrance's presence, which the test sets. It welcomes each person admitted and keeps
// nothing about them.
const SCREEN = 9;
const SPEAKER = 3;
const EVERYONE = -1;
const modules: readonly ModuleName[] = ['audio', 'config', 'display', 'log', 'presence'];
const IDLE = 'Coworking space';
const WELCOME = 'Welcome to Coworking space';

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('presence');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({
    devices: { screen: SCREEN, speaker: SPEAKER },
    config: { 'building.name': 'Coworking space', 'space.name': 'Entrance' },
    screen: { width: 1200, height: 1600 },
    ...options,
  });
  const presence = board.link(app.module, modules);
  const shown = () => board.calls.filter(([name]) => name === 'display.text').map((call) => call[6]);
  return { board, presence, shown };
}

describe('the presence app', () => {
  it('imports audio, config, display, log and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('can keep nothing: it imports no enclave, channel or serial function, nor any that reads audio in', () => {
    expect(app.functions.filter((name) => /^(enclave|channel|serial)\./.test(name))).toEqual([]);
    expect(app.functions.filter((name) => name.startsWith('audio.'))).toEqual(['audio.play']);
  });

  it('shows the building\'s name at start when nobody is at the entrance', () => {
    const { board, presence } = boot();
    expect(presence.start()).toBe(Status.Ok);
    expect(board.calls).toEqual([
      ['presence.count'],
      ['display.height', SCREEN],
      ['display.width', SCREEN],
      ['display.clear', SCREEN, 0xffffff],
      // Centred, and smaller than an eighth of the screen so that the name fits its width.
      ['display.text', SCREEN, 77, 753, 93, 0x000000, IDLE],
      ['display.flush', SCREEN],
    ]);
  });

  it('shows the welcome at start when people are already there, greeting nobody in particular', () => {
    const { board, presence, shown } = boot({ people: [5] });
    expect(presence.start()).toBe(Status.Ok);
    expect(shown()).toEqual([WELCOME]);
    expect(board.callsOf('audio.play')).toEqual([]);
  });

  it('welcomes each person admitted, aimed at them, and shows the welcome while anyone is there', () => {
    const { board, presence, shown } = boot();
    presence.start();
    expect(presence.handle(EventKind.Arrived, 41, 1)).toBe(Status.Ok);
    expect(presence.handle(EventKind.Arrived, 42, 2)).toBe(Status.Ok);
    expect(board.callsOf('audio.play')).toEqual([
      [SPEAKER, 'welcome', 41],
      [SPEAKER, 'welcome', 42],
    ]);
    // E-ink redraws slowly: the welcome is drawn once for both.
    expect(shown()).toEqual([IDLE, WELCOME]);
    expect(presence.handle(EventKind.Left, 41, 1)).toBe(Status.Ok);
    expect(shown()).toEqual([IDLE, WELCOME]);
    expect(presence.handle(EventKind.Left, 42, 0)).toBe(Status.Ok);
    expect(shown()).toEqual([IDLE, WELCOME, IDLE]);
    expect(presence.handle(EventKind.Arrived, 43, 1)).toBe(Status.Ok);
    expect(shown()).toEqual([IDLE, WELCOME, IDLE, WELCOME]);
  });

  it('keeps nothing about anyone: no log line, no question about where they go, no list of who is there', () => {
    const { board, presence } = boot();
    presence.start();
    for (const person of [51, 52, 53]) presence.handle(EventKind.Arrived, person, person - 50);
    for (const person of [51, 52, 53]) presence.handle(EventKind.Left, person, 53 - person);
    expect(board.logs).toEqual([]);
    expect(new Set(board.calls.map(([name]) => name))).toEqual(new Set(['presence.count', 'display.height', 'display.width', 'display.clear', 'display.text', 'display.flush', 'audio.play']));
    expect(board.callsOf('presence.count')).toHaveLength(1); // at start; events carry the count
  });

  it('says the welcome to everyone there when the speaker cannot aim', () => {
    const { board, presence } = boot({ directional: false });
    expect(presence.handle(EventKind.Arrived, 61, 1)).toBe(Status.Ok);
    expect(board.callsOf('audio.play')).toEqual([
      [SPEAKER, 'welcome', 61],
      [SPEAKER, 'welcome', EVERYONE],
    ]);
  });

  it('returns the speaker\'s failure, trying no other way when the speaker is only busy', () => {
    const { board, presence, shown } = boot();
    board.fail('audio.play', Status.Busy);
    expect(presence.handle(EventKind.Arrived, 62, 1)).toBe(Status.Busy);
    expect(board.callsOf('audio.play')).toEqual([[SPEAKER, 'welcome', 62]]);
    expect(shown()).toEqual([WELCOME]);
  });

  it('still greets aloud when the screen fails, returns the screen\'s failure, and redraws at the next arrival', () => {
    const { board, presence, shown } = boot();
    board.fail('display.flush', Status.Failed);
    expect(presence.handle(EventKind.Arrived, 63, 1)).toBe(Status.Failed);
    expect(board.callsOf('audio.play')).toEqual([[SPEAKER, 'welcome', 63]]);
    board.fail('display.flush', undefined);
    expect(presence.handle(EventKind.Arrived, 64, 2)).toBe(Status.Ok);
    expect(shown()).toEqual([WELCOME, WELCOME]);
  });

  it('shows the idle screen and returns the failure when presence cannot be read at start', () => {
    const { board, presence, shown } = boot({ people: [1] });
    board.fail('presence.count', Status.Unavailable);
    expect(presence.start()).toBe(Status.Unavailable);
    expect(shown()).toEqual([IDLE]);
  });

  it('answers NotFound for a device that is not bound, and still uses the other', () => {
    const noScreen = boot({ devices: { speaker: SPEAKER } });
    expect(noScreen.presence.handle(EventKind.Arrived, 71, 1)).toBe(Status.NotFound);
    expect(noScreen.board.callsOf('audio.play')).toEqual([[SPEAKER, 'welcome', 71]]);
    const noSpeaker = boot({ devices: { screen: SCREEN } });
    expect(noSpeaker.presence.handle(EventKind.Arrived, 72, 1)).toBe(Status.NotFound);
    expect(noSpeaker.shown()).toEqual([WELCOME]);
  });

  it('ignores events not meant for it', () => {
    const { board, presence } = boot();
    for (const kind of [EventKind.Press, EventKind.Release, EventKind.Timer, EventKind.Message, EventKind.Audio, EventKind.Serial]) {
      expect(presence.handle(kind, SCREEN, 1)).toBe(Status.Ignored);
    }
    expect(board.calls).toEqual([]);
  });
});
