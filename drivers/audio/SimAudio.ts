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

/** A simulated speaker: keeps everything played, readable as samples or as a WAV file. */
export class SimSpeaker implements AudioOutBus {
  readonly #chunks: Int16Array[] = [];
  #format: AudioFormat | undefined;

  play(format: AudioFormat, pcm: Int16Array): void {
    this.#format = format;
    this.#chunks.push(Int16Array.from(pcm));
  }

  close(): void {
    // What was played stays readable after the speaker closes.
  }

  /** Every sample played so far, interleaved. */
  played(): Int16Array {
    const all = new Int16Array(this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let at = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }

  /** Everything played so far as a WAV file (16 kHz mono when nothing was played). */
  wav(): Uint8Array {
    return encodeWav({ ...(this.#format ?? { rate: 16000, channels: 1 }), samples: this.played() });
  }
}
