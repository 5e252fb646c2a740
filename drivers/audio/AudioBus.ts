import type { AudioFormat } from './Audio.js';

/** The backend a microphone driver receives: a capture device. */
export interface AudioInBus {
  /** Starts capture at `format`, delivering whole frames to `deliver` until stop. */
  start(format: AudioFormat, deliver: (pcm: Int16Array) => void): void;
  stop(): void;
  close(): void;
}

/** The backend a speaker driver receives: a playback device. */
export interface AudioOutBus {
  play(format: AudioFormat, pcm: Int16Array): void;
  close(): void;
}
