import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlsaMicrophoneBus, AlsaSpeakerBus } from './AlsaAudio.js';
import { Microphone } from './Microphone.js';
import { Speaker } from './Speaker.js';

// No sound card on the test machine: the real arecord and aplay run against ALSA's `file`
// plugin over the `null` device, configured in a private HOME's .asoundrc. This covers the
// processes, formats and framing; a real card's timing and levels are not tested here.
describe('ALSA audio buses (arecord/aplay against the file plugin)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const home = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'osmose-alsa-'));
    dirs.push(dir);
    return dir;
  };
  it('finds arecord and aplay (Debian: apt-get install alsa-utils)', () => {
    for (const tool of ['arecord', 'aplay']) expect(() => execFileSync(tool, ['--version'], { stdio: 'ignore' }), tool).not.toThrow();
  });

  const samples = Int16Array.from({ length: 3200 }, (_, i) => ((i * 523) % 65536) - 32768);
  const bytes = (pcm: Int16Array): Buffer => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);

  it('plays PCM through aplay: the device receives exactly the samples, then silence padding', async () => {
    const dir = home();
    const out = join(dir, 'played.raw');
    const bus = new AlsaSpeakerBus({ device: `file:'${out}',raw` });
    const speaker = new Speaker({ bus, rate: 16000, channels: 2 });
    speaker.write(samples.subarray(0, 1600));
    speaker.write(samples.subarray(1600));
    speaker.close();
    await bus.drained();
    const played = readFileSync(out);
    expect(played.subarray(0, samples.byteLength).equals(bytes(samples))).toBe(true);
    expect(played.subarray(samples.byteLength).every((byte) => byte === 0)).toBe(true);
  });

  it('captures PCM through arecord as whole frames, in order', async () => {
    const dir = home();
    const source = join(dir, 'room.raw');
    writeFileSync(source, bytes(samples));
    writeFileSync(join(dir, '.asoundrc'), `pcm.room {\n type file\n slave.pcm null\n file "/dev/null"\n infile "${source}"\n format raw\n}\n`);
    const bus = new AlsaMicrophoneBus({ device: 'room', env: { ...process.env, HOME: dir } });
    const mic = new Microphone({ bus, rate: 16000, channels: 2 });
    const got: Int16Array[] = [];
    const enough = new Promise<void>((resolve) => {
      mic.onFrames((pcm) => {
        got.push(pcm);
        if (got.reduce((sum, chunk) => sum + chunk.length, 0) >= samples.length) resolve();
      });
    });
    mic.start();
    await enough;
    mic.close();
    expect(got.every((pcm) => pcm.length % 2 === 0)).toBe(true);
    expect(Int16Array.from(got.flatMap((pcm) => [...pcm])).subarray(0, samples.length)).toEqual(samples);
  });
});
