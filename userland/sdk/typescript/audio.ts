// Microphones and speakers. Imported as one namespace (`audio.speaker("speaker")`), with the
// classes also exported on their own, as in the AssemblyScript SDK.
import { Everyone, type Person, type Status } from './codes.js';
import { Device } from './device.js';
import type { Enclave } from './enclave.js';
import { audio_play, audio_read, audio_record, audio_start, audio_stop, audio_write, takeBytes } from './host.js';

/**
 * A microphone (audio-in). PCM is signed 16-bit little-endian, channels interleaved, at the
 * device's rate (config.deviceSetting(alias, "rate")). A bundle keeps every method of a class
 * it uses, so an app that opens a microphone imports audio.record too, and needs `enclave`
 * granted beside `audio.in` (see README.md).
 */
export class Microphone extends Device {
  /** Starts capturing: Audio events follow. Needs audio.in. */
  start(): Status {
    return this.handle < 0 ? this.handle : audio_start(this.handle);
  }

  /** Stops capturing or recording. */
  stop(): Status {
    return this.handle < 0 ? this.handle : audio_stop(this.handle);
  }

  /** Moves captured PCM into `into`; returns how many bytes, or a negative Status. */
  read(into: Uint8Array): number {
    if (this.handle < 0) return this.handle;
    const count = audio_read(this.handle, into.byteLength);
    into.set(takeBytes());
    return count;
  }

  /** Records straight into an enclave under one of its keys; the audio never enters the app. Needs audio.in and enclave. */
  recordInto(vault: Enclave, key: number): Status {
    if (this.handle < 0) return this.handle;
    if (vault.handle < 0) return vault.handle;
    return audio_record(this.handle, vault.handle, key);
  }
}

/** A speaker (audio-out). */
export class Speaker extends Device {
  /** Queues PCM; returns how many bytes were taken, or a negative Status. Needs audio.out. */
  write(pcm: Uint8Array): number {
    return this.handle < 0 ? this.handle : audio_write(this.handle, pcm);
  }

  /** Plays a clip shipped with the app, aimed at one person when the speaker is directional. Needs audio.out. */
  play(clip: string, to: Person = Everyone): Status {
    return this.handle < 0 ? this.handle : audio_play(this.handle, clip, to);
  }
}

/** Opens the microphone bound to a need. */
export function microphone(alias: string): Microphone { return new Microphone(alias); }
/** Opens the speaker bound to a need. */
export function speaker(alias: string): Speaker { return new Speaker(alias); }
