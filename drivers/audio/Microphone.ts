import { closedError } from '../DriverError.js';
import type { AudioIn } from './Audio.js';
import type { AudioInBus } from './AudioBus.js';
import { checkFormat, checkFrames } from './checkFormat.js';

export interface MicrophoneOptions {
  readonly bus: AudioInBus;
  /** Default 16000. */
  readonly rate?: number;
  /** Default 1. */
  readonly channels?: number;
}

/** A microphone (driver audio-in). PCM from the bus is checked for whole frames before it is passed on. */
export class Microphone implements AudioIn {
  readonly rate: number;
  readonly channels: number;
  readonly #bus: AudioInBus;
  readonly #listeners = new Set<(pcm: Int16Array) => void>();
  #running = false;
  #closed = false;

  constructor(options: MicrophoneOptions) {
    const format = checkFormat({ rate: options.rate ?? 16000, channels: options.channels ?? 1 });
    this.rate = format.rate;
    this.channels = format.channels;
    this.#bus = options.bus;
  }

  start(): void {
    this.#assertOpen();
    if (this.#running) return;
    this.#running = true;
    this.#bus.start({ rate: this.rate, channels: this.channels }, (pcm) => {
      if (!this.#running || this.#closed) return;
      checkFrames(pcm, this.channels);
      for (const listener of [...this.#listeners]) listener(pcm);
    });
  }

  stop(): void {
    this.#assertOpen();
    if (!this.#running) return;
    this.#running = false;
    this.#bus.stop();
  }

  onFrames(listener: (pcm: Int16Array) => void): () => void {
    this.#assertOpen();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    if (this.#running) this.#bus.stop();
    this.#running = false;
    this.#closed = true;
    this.#listeners.clear();
    this.#bus.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('audio-in');
  }
}
