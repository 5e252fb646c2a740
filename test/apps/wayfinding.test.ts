import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The wayfinding app on a fake board: a directional speaker, and a presence service that
// knows which room each arriving person is expected in.
const SPEAKER = 3;
// In plain TypeScript, run in the board's script engine: a script imports only what it calls (no log: nothing traps into it).
const modules: readonly ModuleName[] = ['audio', 'config', 'presence'];

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('wayfinding');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({ devices: { speaker: SPEAKER }, destinations: { 21: 'meeting-1', 22: 'meeting-2' }, ...options });
  return { board, wayfinding: board.link(app.module, modules) };
}

describe('the wayfinding app', () => {
  it('imports audio, config and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    // The bundle keeps every method of the Speaker class it uses: write as well as play (both audio.out).
    expect(app.functions).toEqual(['audio.play', 'audio.write', 'config.device', 'presence.destination']);
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('plays each arriving person the directions to their room, aimed at them', () => {
    const { board, wayfinding } = boot();
    expect(wayfinding.start()).toBeUndefined();
    expect(wayfinding.handle(EventKind.Arrived, 21, 1)).toBe(Status.Ok);
    expect(wayfinding.handle(EventKind.Arrived, 22, 2)).toBe(Status.Ok);
    expect(board.calls).toEqual([
      ['presence.destination', 21],
      ['audio.play', SPEAKER, 'directions/meeting-1', 21],
      ['presence.destination', 22],
      ['audio.play', SPEAKER, 'directions/meeting-2', 22],
    ]);
  });

  it('reads a destination longer than its first buffer in full', () => {
    const room = `wing-${'b'.repeat(200)}`;
    const { board, wayfinding } = boot({ destinations: { 23: room } });
    expect(wayfinding.handle(EventKind.Arrived, 23, 1)).toBe(Status.Ok);
    expect(board.callsOf('audio.play')).toEqual([[SPEAKER, `directions/${room}`, 23]]);
  });

  it('says nothing to someone nobody expects, or when presence cannot say where they are going', () => {
    const { board, wayfinding } = boot();
    expect(wayfinding.handle(EventKind.Arrived, 99, 1)).toBe(Status.Ignored);
    board.fail('presence.destination', Status.Unavailable);
    expect(wayfinding.handle(EventKind.Arrived, 21, 2)).toBe(Status.Ignored);
    expect(board.callsOf('audio.play')).toEqual([]);
  });

  it('never tells everyone where someone goes: a speaker that cannot aim answers Unsupported, and that is returned', () => {
    const { board, wayfinding } = boot({ directional: false });
    expect(wayfinding.handle(EventKind.Arrived, 21, 1)).toBe(Status.Unsupported);
    expect(board.callsOf('audio.play')).toEqual([[SPEAKER, 'directions/meeting-1', 21]]);
  });

  it('returns the speaker\'s failure', () => {
    const { board, wayfinding } = boot();
    board.fail('audio.play', Status.Busy);
    expect(wayfinding.handle(EventKind.Arrived, 22, 1)).toBe(Status.Busy);
    board.fail('audio.play', Status.Unavailable);
    expect(wayfinding.handle(EventKind.Arrived, 21, 2)).toBe(Status.Unavailable);
    expect(board.callsOf('audio.play')).toEqual([
      [SPEAKER, 'directions/meeting-2', 22],
      [SPEAKER, 'directions/meeting-1', 21],
    ]);
  });

  it('answers NotFound when no speaker is bound to it', () => {
    const { board, wayfinding } = boot({ devices: {} });
    expect(wayfinding.handle(EventKind.Arrived, 21, 1)).toBe(Status.NotFound);
    expect(board.callsOf('audio.play')).toEqual([]);
  });

  it('ignores people leaving and events not meant for it', () => {
    const { board, wayfinding } = boot();
    for (const kind of [EventKind.Left, EventKind.Press, EventKind.Release, EventKind.Timer, EventKind.Message, EventKind.Audio, EventKind.Serial]) {
      expect(wayfinding.handle(kind, 21, 1)).toBe(Status.Ignored);
    }
    expect(board.calls).toEqual([]);
  });
});
