import { DriverError } from '../DriverError.js';
import type { AudioFormat } from './Audio.js';
import type { AudioInBus, AudioOutBus } from './AudioBus.js';
import { decodeWav, encodeWav } from './wav.js';

/**
 * A simulated microphone: the outside world (tests, `osmose sim`) injects PCM or a WAV file;
 * it reaches the driver only while capture runs, like sound nobody records.
 */
export class SimMicrophone implements AudioInBus {
  #format: AudioFormat | undefined;
  #deliver: ((pcm: Int16Array) => void) | undefined;

  start(format: AudioFormat, deliver: (pcm: Int16Array) => void): void {
    this.#format = format;
    this.#deliver = deliver;
  }

  stop(): void {
    this.#deliver = undefined;
  }

  close(): void {
    this.#deliver = undefined;
  }

  /** Whether capture is running. */
  get capturing(): boolean {
    return this.#deliver !== undefined;
  }

  /** Delivers PCM now if capture runs; returns whether it was heard. */
  inject(pcm: Int16Array): boolean {
    if (this.#deliver === undefined) return false;
    this.#deliver(pcm);
    return true;
  }

  /** Delivers a WAV file's samples in chunks of `framesPerChunk`; its format must match the capture's. */
  injectWav(bytes: Uint8Array, framesPerChunk = 320): boolean {
    const wav = decodeWav(bytes);
    const format = this.#format;
    if (this.#deliver === undefined || format === undefined) return false;
    if (wav.rate !== format.rate || wav.channels !== format.channels) {
      throw new DriverError('driver.bad-frame', `the WAV is ${wav.rate} Hz × ${wav.channels}; the microphone captures ${format.rate} Hz × ${format.channels}`, {
        hint: 'resample the file, or inject into a device of that format',
      });
    }
    const step = framesPerChunk * format.channels;
    for (let at = 0; at < wav.samples.length; at += step) this.#deliver(wav.samples.slice(at, at + step));
    return true;
  }
}

/** One write to a simulated speaker: its samples, and who the beam was aimed at then (null: no one in particular). */
export interface SimPlay {
  readonly aimedAt: number | null;
  readonly samples: Int16Array;
}

/**
 * A simulated speaker: keeps everything played, readable as samples or as a WAV file, and,
 * when its driver is directional, who each write was aimed at: what a person standing in
 * the beam would have heard.
 */
export class SimSpeaker implements AudioOutBus {
  readonly #plays: SimPlay[] = [];
  #format: AudioFormat | undefined;
  #aimedAt: number | null = null;

  play(format: AudioFormat, pcm: Int16Array): void {
    this.#format = format;
    this.#plays.push({ aimedAt: this.#aimedAt, samples: Int16Array.from(pcm) });
  }

  /** The beam follows `person` from the next write on (null: back to its resting direction). */
  aim(person: number | null): void {
    this.#aimedAt = person;
  }

  close(): void {
    // What was played stays readable after the speaker closes.
  }

  /** Who the beam points at now (null: no one in particular). */
  get aimedAt(): number | null {
    return this.#aimedAt;
  }

  /** Every write so far, oldest first, each with who it was aimed at. */
  plays(): readonly SimPlay[] {
    return [...this.#plays];
  }

  /** Every sample played so far, interleaved. */
  played(): Int16Array {
    const all = new Int16Array(this.#plays.reduce((sum, play) => sum + play.samples.length, 0));
    let at = 0;
    for (const { samples } of this.#plays) {
      all.set(samples, at);
      at += samples.length;
    }
    return all;
  }

  /** Everything played so far as a WAV file (16 kHz mono when nothing was played). */
  wav(): Uint8Array {
    return encodeWav({ ...(this.#format ?? { rate: 16000, channels: 1 }), samples: this.played() });
  }
}
