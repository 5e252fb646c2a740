import { describe, expect, it } from 'vitest';
import { tone } from '../../test/fixtures/recordingPeople.js';
import { VoiceActivity } from './VoiceActivity.js';

/** 20 ms frames at 8 kHz: 160 samples a frame per channel. */
const frames = (ms: number): number => (ms * 8000) / 1000;
const silence = (ms: number, channels: number): Int16Array => new Int16Array(frames(ms) * channels);
const join = (...parts: Int16Array[]): Int16Array => Int16Array.from(parts.flatMap((part) => [...part]));

describe('VoiceActivity', () => {
  it('finds speech per channel, from the start of its first voiced frame to the end of its last', () => {
    const activity = new VoiceActivity({ rate: 8000, channels: 2 });
    activity.push(join(silence(100, 2), tone(frames(200), 2, [0]), silence(500, 2), tone(frames(60), 2, [1]), silence(400, 2)));
    expect(activity.segments()).toEqual([[[100, 300]], [[800, 860]]]);
  });

  it('joins voiced frames closer than the hangover, and splits those farther apart', () => {
    const activity = new VoiceActivity({ rate: 8000, channels: 1, hangoverMs: 300 });
    activity.push(join(tone(frames(100), 1, [0]), silence(300, 1), tone(frames(100), 1, [0]), silence(320, 1), tone(frames(40), 1, [0])));
    expect(activity.segments()).toEqual([[[0, 500], [820, 860]]]);
  });

  it('does not depend on how the audio was cut into chunks, and ignores what is under the threshold', () => {
    const pcm = join(silence(40, 3), tone(frames(120), 3, [2]), silence(400, 3));
    const quiet = Int16Array.from(pcm, (sample) => sample >> 5); // about 190 of full scale: under 500
    const whole = new VoiceActivity({ rate: 8000, channels: 3 });
    whole.push(pcm);
    const pieces = new VoiceActivity({ rate: 8000, channels: 3 });
    for (let at = 0; at < pcm.length; at += 3 * 37) pieces.push(pcm.subarray(at, Math.min(pcm.length, at + 3 * 37)));
    expect(pieces.segments()).toEqual(whole.segments());
    expect(whole.segments()).toEqual([[], [], [[40, 160]]]);
    const faint = new VoiceActivity({ rate: 8000, channels: 3 });
    faint.push(quiet);
    expect(faint.segments()).toEqual([[], [], []]);
  });
});
