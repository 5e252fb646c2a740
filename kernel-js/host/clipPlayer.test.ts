import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeWav, SimSpeaker, Speaker } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { audioFunctions } from './audioFunctions.js';
import { fragmentClips } from './clipPlayer.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, logLevel } = abiCodes;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const samples = Int16Array.from({ length: 1600 }, (_, i) => ((i * 97) % 20000) - 10000);
const meeting = encodeWav({ rate: 16000, channels: 1, samples });
const stereo = encodeWav({ rate: 16000, channels: 2, samples });
const loud = encodeWav({ rate: 48000, channels: 1, samples });

/**
 * The audio module of one fragment whose app ships three clips, on a board with a directional
 * speaker (handle 2) and a plain one (handle 3), both 16 kHz mono on sim buses.
 */
function board() {
  const files = new Map([meeting, stereo, loud].map((wav) => [sha256(wav), wav]));
  const names = { 'directions/meeting-1': sha256(meeting), stereo: sha256(stereo), 'too-fast': sha256(loud) };
  const aimedBus = new SimSpeaker();
  const plainBus = new SimSpeaker();
  const speakers = new Map([
    [2, new Speaker({ bus: aimedBus, directional: true })],
    [3, new Speaker({ bus: plainBus })],
  ]);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const logs: [number, string][] = [];
  const audio = audioFunctions({
    microphone: () => undefined,
    speaker: (handle) => speakers.get(handle),
    ...wasmMemoryAccess(() => memory),
    raise: () => undefined,
    log: (level, message) => void logs.push([level, message]),
    clips: fragmentClips(names, (digest) => files.get(digest)),
  });
  let free = 0;
  /** audio.play as the module calls it: the clip's name in its memory. */
  const play = (handle: number, clip: string, person: number): number => {
    const bytes = new TextEncoder().encode(clip);
    new Uint8Array(memory.buffer).set(bytes, free);
    const result = audio.functions['audio.play']?.(handle, free, bytes.length, person) ?? Number.NaN;
    free += bytes.length;
    return Number(result);
  };
  return { aimedBus, plainBus, speakers, logs, play };
}

describe('audio.play', () => {
  it('writes the clip’s samples to the speaker, aimed at the person on a directional one', () => {
    const { aimedBus, play, logs } = board();
    expect(play(2, 'directions/meeting-1', 21)).toBe(status.Ok);
    expect(aimedBus.plays()).toEqual([{ aimedAt: 21, samples }]);
    // Everyone: the beam turns back from the last person it followed.
    expect(play(2, 'directions/meeting-1', -1)).toBe(status.Ok);
    expect(aimedBus.plays().map((p) => p.aimedAt)).toEqual([21, null]);
    expect(logs).toEqual([]);
  });

  it('plays for everyone on a plain speaker, and answers Unsupported when asked to aim it, playing nothing', () => {
    const { plainBus, play } = board();
    expect(play(3, 'directions/meeting-1', 21)).toBe(status.Unsupported);
    expect(plainBus.plays()).toEqual([]);
    expect(play(3, 'directions/meeting-1', -1)).toBe(status.Ok);
    expect(plainBus.plays()).toEqual([{ aimedAt: null, samples }]);
  });

  it('answers NotFound for a clip the app does not ship, even one named like a property of every object', () => {
    const { aimedBus, play, logs } = board();
    expect([play(2, 'directions/meeting-9', 21), play(2, 'constructor', -1), play(2, 'directions/meeting-1.wav', -1)]).toEqual([status.NotFound, status.NotFound, status.NotFound]);
    expect(aimedBus.plays()).toEqual([]);
    expect(logs[0]).toEqual([logLevel.Warn, 'audio 2: the app ships no clip "directions/meeting-9"; a clip is a WAV file in the app\'s clips/ folder (clips/directions/meeting-9.wav)']);
  });

  it('resamples nothing: a clip in another rate or channel count than the speaker’s is BadArgument, with a log line saying why', () => {
    const { aimedBus, play, logs } = board();
    expect(play(2, 'too-fast', 21)).toBe(status.BadArgument);
    expect(play(2, 'stereo', -1)).toBe(status.BadArgument);
    expect(aimedBus.plays()).toEqual([]);
    expect(logs).toEqual([
      [logLevel.Warn, expect.stringContaining('the clip "too-fast" is 48000 Hz with 1 channel(s), but the speaker plays 16000 Hz with 1; clips are not resampled')],
      [logLevel.Warn, expect.stringContaining('the clip "stereo" is 16000 Hz with 2 channel(s)')],
    ]);
  });

  it('answers Unavailable once the speaker is closed, and checks its arguments first', () => {
    const { speakers, play } = board();
    expect([play(9, 'directions/meeting-1', -1), play(2, 'directions/meeting-1', -2)]).toEqual([status.BadHandle, status.BadArgument]);
    speakers.get(2)?.close();
    expect(play(2, 'directions/meeting-1', 21)).toBe(status.Unavailable);
  });

  it('finds nothing without clips: a host that passes none, or a fragment that ships none', () => {
    const files = (digest: string): Uint8Array | undefined => (digest === sha256(meeting) ? meeting : undefined);
    expect(fragmentClips(undefined, files)('directions/meeting-1')).toBeUndefined();
    expect(fragmentClips({ 'directions/meeting-1': sha256(meeting) }, undefined)('directions/meeting-1')).toBeUndefined();
    expect(fragmentClips({ 'directions/meeting-1': sha256(meeting) }, files)('directions/meeting-1')).toBe(meeting);
    expect(fragmentClips({ welcome: 'f'.repeat(64) }, files)('welcome')).toBeUndefined();
  });
});
