import { beforeAll, describe, expect, it } from 'vitest';
import { compileShippedApp, EventKind, FakeBoard, modulesItLinksWithout, Status, type CompiledApp, type FakeBoardOptions, type ModuleName } from './fakeHost.js';

// The recorder app on a fake board: a microphone and an enclave in a meeting room whose
// presence the test sets. The fake enclave hands out key handles 100, 101, …
const MIC = 2;
const VAULT = 6;
const modules: readonly ModuleName[] = ['audio', 'config', 'enclave', 'log', 'presence'];

let app: CompiledApp;
beforeAll(async () => {
  app = await compileShippedApp('recorder');
});

function boot(options: FakeBoardOptions = {}) {
  const board = new FakeBoard({ devices: { mic: MIC, vault: VAULT }, ...options });
  return { board, recorder: board.link(app.module, modules) };
}

/** The calls that start recording under `key` for `people` (the app counts, then presence.here() counts and lists). */
const recording = (people: number[], key: number) => [
  ['presence.count'],
  ['presence.count'],
  ['presence.list', people.length],
  ['enclave.groupKey', VAULT, people],
  ['audio.record', MIC, VAULT, key],
];
const pausing = (key: number) => [
  ['audio.stop', MIC],
  ['enclave.dropKey', VAULT, key],
];

describe('the recorder app', () => {
  it('imports audio, config, enclave, log and presence, and links without none of them', () => {
    expect(app.modules).toEqual(modules);
    // Recording goes from the microphone into the enclave: the app never reads audio itself.
    expect(app.functions.filter((name) => name.startsWith('audio.'))).toEqual(['audio.record', 'audio.stop']);
    expect(modulesItLinksWithout(app, modules)).toEqual([]);
  });

  it('records from the first arrival under a key for the people present', () => {
    const { board, recorder } = boot({ people: [] });
    // Started in an empty room: nothing to record, no key made.
    expect(recorder.start()).toBe(Status.Ok);
    expect(board.calls).toEqual([['presence.count'], ['presence.count'], ['presence.list', 0]]);
    board.calls.length = 0;
    board.people = [11];
    expect(recorder.handle(EventKind.Arrived, 11, 1)).toBe(Status.Ok);
    expect(board.calls).toEqual(recording([11], 100));
  });

  it('records at once for the people already present when it starts (at boot, or restarted by the watchdog)', () => {
    const { board, recorder } = boot({ people: [11, 12] });
    expect(recorder.start()).toBe(Status.Ok);
    expect(board.calls).toEqual(recording([11, 12], 100));
  });

  it('starts again under a new key for everyone present when someone else arrives', () => {
    const { board, recorder } = boot({ people: [11] });
    recorder.handle(EventKind.Arrived, 11, 1);
    board.people = [11, 12];
    expect(recorder.handle(EventKind.Arrived, 12, 2)).toBe(Status.Ok);
    expect(board.calls).toEqual([...recording([11], 100), ...pausing(100), ...recording([11, 12], 101)]);
  });

  it('pauses at once and drops the key when anyone leaves, then records the ones still there under a new key', () => {
    const { board, recorder } = boot({ people: [11, 12] });
    recorder.handle(EventKind.Arrived, 12, 2);
    board.people = [11];
    expect(recorder.handle(EventKind.Left, 12, 1)).toBe(Status.Ok);
    expect(board.calls).toEqual([...recording([11, 12], 100), ...pausing(100), ...recording([11], 101)]);
    board.people = [];
    // The last one leaves: the key is dropped and nothing is recorded.
    expect(recorder.handle(EventKind.Left, 11, 0)).toBe(Status.Ok);
    expect(board.calls.slice(12)).toEqual([...pausing(101), ['presence.count'], ['presence.count'], ['presence.list', 0]]);
    board.people = [11, 13];
    expect(recorder.handle(EventKind.Arrived, 13, 2)).toBe(Status.Ok);
    expect(board.callsOf('enclave.groupKey').at(-1)).toEqual([VAULT, [11, 13]]);
    expect(board.callsOf('audio.record').at(-1)).toEqual([MIC, VAULT, 102]);
  });

  it('records nothing when presence cannot be read, or nobody is left by the time it asks', () => {
    const { board, recorder } = boot({ people: [11] });
    board.fail('presence.count', Status.Unavailable);
    expect(recorder.handle(EventKind.Arrived, 11, 1)).toBe(Status.Unavailable);
    board.fail('presence.count', undefined);
    board.people = [];
    expect(recorder.handle(EventKind.Arrived, 12, 1)).toBe(Status.Ok);
    expect(board.callsOf('enclave.groupKey')).toEqual([]);
    expect(board.callsOf('audio.record')).toEqual([]);
  });

  it('returns the enclave\'s failure to derive a key, and holds no key', () => {
    const { board, recorder } = boot({ people: [11] });
    board.fail('enclave.groupKey', Status.Failed);
    expect(recorder.handle(EventKind.Arrived, 11, 1)).toBe(Status.Failed);
    expect(board.callsOf('audio.record')).toEqual([]);
    // Nothing is recording, so a leave has nothing to pause; the one still there is tried again.
    board.people = [12];
    expect(recorder.handle(EventKind.Left, 11, 1)).toBe(Status.Failed);
    expect(board.callsOf('audio.stop')).toEqual([]);
    expect(board.callsOf('enclave.groupKey').at(-1)).toEqual([VAULT, [12]]);
  });

  it('drops the key at once when recording cannot start, and returns why', () => {
    const { board, recorder } = boot({ people: [11] });
    board.fail('audio.record', Status.Busy);
    expect(recorder.handle(EventKind.Arrived, 11, 1)).toBe(Status.Busy);
    expect(board.calls.slice(-2)).toEqual([['audio.record', MIC, VAULT, 100], ['enclave.dropKey', VAULT, 100]]);
    // Nothing is recording, so a leave has nothing to pause; with nobody left, nothing to record.
    board.people = [];
    expect(recorder.handle(EventKind.Left, 11, 0)).toBe(Status.Ok);
    expect(board.callsOf('audio.stop')).toEqual([]);
    expect(board.callsOf('enclave.groupKey')).toHaveLength(1);
  });

  it('drops the key even when stopping fails, and returns the failure', () => {
    const { board, recorder } = boot({ people: [11] });
    recorder.handle(EventKind.Arrived, 11, 1);
    board.fail('audio.stop', Status.Failed);
    expect(recorder.handle(EventKind.Left, 11, 0)).toBe(Status.Failed);
    expect(board.calls.slice(-2)).toEqual(pausing(100));
    // And an arrival after a failed pause is not recorded under the dropped key.
    board.fail('audio.stop', undefined);
    expect(recorder.handle(EventKind.Arrived, 12, 1)).toBe(Status.Ok);
    expect(board.callsOf('audio.record').at(-1)).toEqual([MIC, VAULT, 101]);
  });

  it('answers NotFound without a microphone, dropping the key it derived', () => {
    const { board, recorder } = boot({ people: [11], devices: { vault: VAULT } });
    expect(recorder.handle(EventKind.Arrived, 11, 1)).toBe(Status.NotFound);
    expect(board.callsOf('enclave.dropKey')).toEqual([[VAULT, 100]]);
    expect(board.callsOf('audio.record')).toEqual([]);
  });

  it('ignores events not meant for it', () => {
    const { board, recorder } = boot({ people: [11] });
    for (const kind of [EventKind.Press, EventKind.Release, EventKind.Timer, EventKind.Message, EventKind.Audio, EventKind.Serial]) {
      expect(recorder.handle(kind, MIC, 1)).toBe(Status.Ignored);
    }
    expect(board.calls).toEqual([]);
  });
});
