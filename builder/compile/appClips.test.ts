import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../drivers/audio/wav.js';
import { shippedAppsDir } from '../../userland/shippedApps.js';
import { sha256 } from '../cache/inputKey.js';
import { formatIssues } from '../validate/formatIssues.js';
import { appClips, clipLimits } from './appClips.js';

const tone = (frames: number, channels = 1): Int16Array => Int16Array.from({ length: frames * channels }, (_, i) => ((i * 37) % 4000) - 2000);
const wav = (frames: number, options: { rate?: number; channels?: number } = {}): Uint8Array =>
  encodeWav({ rate: options.rate ?? 16000, channels: options.channels ?? 1, samples: tone(frames, options.channels ?? 1) });

function check(files: Record<string, Uint8Array>) {
  return appClips({ app: 'wayfinding', source: 'apps/wayfinding', files: new Map(Object.entries(files)) });
}

describe('appClips', () => {
  it('names each WAV under clips/ by its path without .wav, with its digest, format and length, and reads nothing else', () => {
    const meeting = wav(8000);
    const stereo = wav(4410, { rate: 44100, channels: 2 });
    const { clips, issues } = check({
      'assembly/index.ts': new TextEncoder().encode('export function handle(): i32 { return 0; }'),
      'README.md': new TextEncoder().encode('# wayfinding'),
      'clips/directions/meeting-1.wav': meeting,
      'clips/chime.wav': stereo,
    });
    expect(issues).toEqual([]);
    expect(clips.map(({ name, digest, rate, channels, ms }) => ({ name, digest, rate, channels, ms }))).toEqual([
      { name: 'chime', digest: sha256(stereo), rate: 44100, channels: 2, ms: 100 },
      { name: 'directions/meeting-1', digest: sha256(meeting), rate: 16000, channels: 1, ms: 500 },
    ]);
    expect(clips[1]?.wav).toBe(meeting);
    expect(check({ 'assembly/index.ts': new Uint8Array() })).toEqual({ clips: [], issues: [] });
  });

  it('refuses a clip that is not 16-bit PCM WAV, naming the file and how to convert it', () => {
    const eightBit = wav(100);
    new DataView(eightBit.buffer, eightBit.byteOffset).setUint16(34, 8, true); // bits per sample
    const { clips, issues } = check({ 'clips/welcome.wav': new TextEncoder().encode('ID3 an mp3 renamed'), 'clips/ding.wav': eightBit, 'clips/ok.wav': wav(10) });
    expect(clips.map((clip) => clip.name)).toEqual(['ok']);
    expect(issues).toMatchObject([
      { code: 'clip.not-wav', app: 'wayfinding', file: 'apps/wayfinding/clips/ding.wav' },
      { code: 'clip.not-wav', app: 'wayfinding', file: 'apps/wayfinding/clips/welcome.wav' },
    ]);
    expect(formatIssues(issues.slice(1))).toBe(
      'apps/wayfinding/clips/welcome.wav: error: the clip welcome of wayfinding is not a 16-bit PCM WAV file: it does not start with a RIFF WAVE header\n' +
        '  fix: save it as a 16-bit PCM WAV file (for example: ffmpeg -i IN -ar 16000 -ac 1 -c:a pcm_s16le clips/welcome.wav)',
    );
    expect(issues[0]?.message).toContain('it is not 16-bit PCM');
  });

  it('refuses a rate no speaker plays, half a frame, an empty clip, a stray file and a name that is no clip name', () => {
    const half = wav(10, { channels: 2 });
    const truncated = half.slice(0, half.length - 2);
    new DataView(truncated.buffer).setUint32(40, half.length - 46, true); // the data chunk's size, one sample short
    const { issues } = check({
      'clips/odd.wav': wav(100, { rate: 22050 }),
      'clips/half.wav': truncated,
      'clips/empty.wav': wav(0),
      'clips/notes.txt': new TextEncoder().encode('the recording script'),
      'clips/.hidden.wav': wav(10),
    });
    expect(issues.map(({ code, file }) => [code, file])).toEqual([
      ['clip.bad-name', 'apps/wayfinding/clips/.hidden.wav'],
      ['clip.empty', 'apps/wayfinding/clips/empty.wav'],
      ['clip.format', 'apps/wayfinding/clips/half.wav'],
      ['clip.stray-file', 'apps/wayfinding/clips/notes.txt'],
      ['clip.format', 'apps/wayfinding/clips/odd.wav'],
    ]);
    expect(issues[4]?.message).toBe('the clip odd of wayfinding is 22050 Hz with 1 channel; speakers play 8000, 16000, 44100, 48000 Hz with 1 to 8 channels');
    expect(issues[4]?.hint).toContain('resample it');
    expect(issues[3]?.hint).toContain('move it out of clips/');
  });

  it('refuses a clip over 1 MiB, and an app whose clips come to more than 8 MiB', () => {
    const limit = (clipLimits.clipBytes - 44) / 2; // frames of 16-bit mono that fill the limit exactly
    expect(check({ 'clips/long.wav': wav(limit) }).issues).toEqual([]);
    const over = check({ 'clips/long.wav': wav(limit + 1) }).issues;
    expect(over).toMatchObject([{ code: 'clip.too-large', file: 'apps/wayfinding/clips/long.wav', message: 'the clip long of wayfinding is 1025 KiB; a clip may be at most 1 MiB' }]);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`clips/part-${i}.wav`, wav(limit - i)]));
    const total = check(many).issues;
    expect(total).toMatchObject([{ code: 'clip.app-too-large', file: 'apps/wayfinding/clips' }]);
    expect(total[0]?.message).toMatch(/^the clips of wayfinding come to 9\d{3} KiB; an app's clips may come to at most 8 MiB/);
  });

  it('accepts the clips the shipped apps carry: 16 kHz mono, as the coworking speakers play', async () => {
    for (const app of ['presence', 'wayfinding']) {
      const dir = join(shippedAppsDir(), app);
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      const files = new Map<string, Uint8Array>();
      for (const entry of entries.filter((e) => e.isFile())) {
        const path = join(entry.parentPath, entry.name);
        files.set(relative(dir, path).split(sep).join('/'), new Uint8Array(await readFile(path)));
      }
      const { clips, issues } = appClips({ app, files });
      expect(issues, app).toEqual([]);
      expect(clips.length, app).toBeGreaterThan(0);
      for (const clip of clips) expect([clip.rate, clip.channels], `${app}: ${clip.name}`).toEqual([16000, 1]);
    }
  });
});
