import { DriverError } from '../DriverError.js';
import type { AudioFormat } from './Audio.js';

export const audioRates = [8000, 16000, 44100, 48000] as const;

/** Refuses a rate or channel count the audio specs do not allow. */
export function checkFormat(format: AudioFormat): AudioFormat {
  if (!(audioRates as readonly number[]).includes(format.rate)) {
    throw new DriverError('driver.bad-option', `audio rate ${format.rate} is not one of ${audioRates.join(', ')}`, { data: { rate: format.rate } });
  }
  if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > 8) {
    throw new DriverError('driver.bad-option', `audio channels must be 1 to 8, not ${format.channels}`, { data: { channels: format.channels } });
  }
  return { rate: format.rate, channels: format.channels };
}

/** Refuses PCM that is not an Int16Array of whole frames. */
export function checkFrames(pcm: unknown, channels: number): asserts pcm is Int16Array {
  if (!(pcm instanceof Int16Array) || pcm.length % channels !== 0) {
    throw new DriverError('driver.bad-frame', `PCM must be an Int16Array of whole ${channels}-channel frames`, { data: { channels } });
  }
}
