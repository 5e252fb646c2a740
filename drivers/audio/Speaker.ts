import { closedError } from '../DriverError.js';
import type { AudioOut } from './Audio.js';
import type { AudioOutBus } from './AudioBus.js';
import { checkFormat, checkFrames } from './checkFormat.js';

export interface SpeakerOptions {
  readonly bus: AudioOutBus;
  /** Default 16000. */
  readonly rate?: number;
  /** Default 1. */
  readonly channels?: number;
}

/** A speaker (driver audio-out). */
export class Speaker implements AudioOut {
  readonly rate: number;
  readonly channels: number;
  readonly #bus: AudioOutBus;
  #closed = false;

  constructor(options: SpeakerOptions) {
    const format = checkFormat({ rate: options.rate ?? 16000, channels: options.channels ?? 1 });
    this.rate = format.rate;
    this.channels = format.channels;
    this.#bus = options.bus;
  }

  write(pcm: Int16Array): void {
    if (this.#closed) throw closedError('audio-out');
    checkFrames(pcm, this.channels);
    this.#bus.play({ rate: this.rate, channels: this.channels }, pcm);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bus.close();
  }
}
