import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The wallpaper app on a fake board: an e-ink screen in a room whose presence the test sets.
// It shows the room's name and whether it is in use, redrawing only when that changes.
const SCREEN = 9;
// In plain TypeScript, run in the board's script engine: a script imports only what it calls (no log: nothing traps into it).
const modules: readonly ModuleName[] = ['config', 'display', 'presence'];
const WHITE = 0xffffff;
const BLACK = 0x000000;

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('wallpaper');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({ devices: { screen: SCREEN }, config: { 'space.name': 'Meeting room 1' }, screen: { width: 2560, height: 1440 }, ...options });
  const wallpaper = board.link(app.module, modules);
  // The text of each frame shown: what was drawn, then flushed.
  const shown = () => board.calls.filter(([name]) => name === 'display.text').map((call) => call[6]);
  return { board, wallpaper, shown };
}

describe('the wallpaper app', () => {
  it('imports config, display and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('shows the room free at start when nobody is there: a cleared screen, one line of text, one flush', () => {
    const { board, wallpaper } = boot();
    expect(wallpaper.start()).toBe(Status.Ok);
    expect(board.calls).toEqual([
      ['presence.count'],
      ['display.height', SCREEN],
      ['display.width', SCREEN],
      ['display.clear', SCREEN, WHITE],
      // 21 characters at an eighth of 1440 (180) would be 2835 wide: the size that fits 7/8 of 2560, centred.
      ['display.text', SCREEN, 162, 649, 142, BLACK, 'Meeting room 1 - free'],
      ['display.flush', SCREEN],
    ]);
  });

  it('shows the room in use at start when people are there', () => {
    const { wallpaper, shown } = boot({ people: [1, 2] });
    expect(wallpaper.start()).toBe(Status.Ok);
    expect(shown()).toEqual(['Meeting room 1 - in use']);
  });

  it('redraws when the room fills and when it empties, and only then', () => {
    const { board, wallpaper, shown } = boot();
    wallpaper.start();
    expect(wallpaper.handle(EventKind.Arrived, 7, 1)).toBe(Status.Ok);
    expect(wallpaper.handle(EventKind.Arrived, 8, 2)).toBe(Status.Ok);
    expect(wallpaper.handle(EventKind.Left, 7, 1)).toBe(Status.Ok);
    expect(shown()).toEqual(['Meeting room 1 - free', 'Meeting room 1 - in use']);
    expect(wallpaper.handle(EventKind.Left, 8, 0)).toBe(Status.Ok);
    expect(shown()).toEqual(['Meeting room 1 - free', 'Meeting room 1 - in use', 'Meeting room 1 - free']);
    expect(board.callsOf('display.flush')).toHaveLength(3);
    // The count comes with each event: presence is read only at start.
    expect(board.callsOf('presence.count')).toHaveLength(1);
  });

  it('shows the name alone and returns the failure when presence cannot be read at start', () => {
    const { board, wallpaper, shown } = boot();
    board.fail('presence.count', Status.Unavailable);
    expect(wallpaper.start()).toBe(Status.Unavailable);
    expect(shown()).toEqual(['Meeting room 1']);
    // The next event says how many are there, and the screen follows.
    expect(wallpaper.handle(EventKind.Left, 3, 0)).toBe(Status.Ok);
    expect(shown()).toEqual(['Meeting room 1', 'Meeting room 1 - free']);
  });

  it('returns a failed draw, and draws again at the next event though the answer did not change', () => {
    const { board, wallpaper, shown } = boot();
    board.fail('display.flush', Status.Failed);
    expect(wallpaper.start()).toBe(Status.Failed);
    expect(wallpaper.handle(EventKind.Arrived, 4, 1)).toBe(Status.Failed);
    board.fail('display.flush', undefined);
    expect(wallpaper.handle(EventKind.Arrived, 5, 2)).toBe(Status.Ok);
    expect(wallpaper.handle(EventKind.Arrived, 6, 3)).toBe(Status.Ok);
    expect(shown()).toEqual(['Meeting room 1 - free', 'Meeting room 1 - in use', 'Meeting room 1 - in use']);
  });

  it('stops at the first drawing call that fails', () => {
    const { board, wallpaper } = boot();
    board.fail('display.height', Status.Unavailable);
    expect(wallpaper.start()).toBe(Status.Unavailable);
    expect(board.calls.map(([name]) => name)).toEqual(['presence.count', 'display.height']);
  });

  it('answers NotFound, drawing nothing, when no screen is bound to it', () => {
    const { board, wallpaper } = boot({ devices: {} });
    expect(wallpaper.start()).toBe(Status.NotFound);
    expect(wallpaper.handle(EventKind.Arrived, 1, 1)).toBe(Status.NotFound);
    expect(board.calls).toEqual([['presence.count']]);
  });

  it('ignores events not meant for it', () => {
    const { board, wallpaper } = boot();
    wallpaper.start();
    const before = board.calls.length;
    for (const kind of [EventKind.Press, EventKind.Release, EventKind.Timer, EventKind.Message, EventKind.Audio, EventKind.Serial]) {
      expect(wallpaper.handle(kind, SCREEN, 1)).toBe(Status.Ignored);
    }
    expect(board.calls).toHaveLength(before);
  });
});
