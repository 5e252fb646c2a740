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
  /**
   * Steers a directional speaker's beam towards a person (null: its resting direction). A
   * backend that cannot steer leaves this out, and the beam stays where the speaker is mounted.
   */
  aim?(person: number | null): void;
  close(): void;
}
