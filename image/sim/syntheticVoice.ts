/** What `osmose sim talk` says into a microphone. */
export interface SyntheticVoice {
  readonly rate: number;
  readonly channels: number;
  /** The channel the talker is nearest to (1 is the first); the others hear silence. */
  readonly channel: number;
  readonly seconds: number;
}

/**
 * Interleaved 16-bit PCM in which one talker speaks on one channel of a microphone array: a
 * voice-like signal (a fundamental and its harmonics, its pitch set by the channel, opened and
 * closed about four times a second like syllables) and silence on the other channels. It
 * stands in for a person at that seat, so a voice-activity detector has something to find,
 * and a test can check every sample that comes back out of a recording.
 */
export function syntheticVoice(voice: SyntheticVoice): Int16Array {
  const { rate, channels, channel, seconds } = voice;
  const frames = Math.round(rate * seconds);
  const pcm = new Int16Array(frames * channels);
  const pitch = 100 + 35 * channel;
  for (let frame = 0; frame < frames; frame++) {
    const t = frame / rate;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    let sample = 0;
    for (let harmonic = 1; harmonic <= 4; harmonic++) sample += Math.sin(2 * Math.PI * pitch * harmonic * t) / harmonic;
    pcm[frame * channels + (channel - 1)] = Math.round(sample * syllable * 9000);
  }
  return pcm;
}
