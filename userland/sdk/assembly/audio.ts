import { Everyone, Person, Status } from "./codes";
import { Device } from "./device";
import { Enclave } from "./enclave";
import { audio_play, audio_read, audio_record, audio_start, audio_stop, audio_write } from "./host";
import { utf8 } from "./text";

/**
 * A microphone (audio-in). PCM is signed 16-bit little-endian, channels interleaved, at the
 * device's rate (config.deviceSetting(alias, "rate")).
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
  read(into: Uint8Array): i32 {
    return this.handle < 0 ? this.handle : audio_read(this.handle, into.dataStart, into.byteLength);
  }

  /** Records straight into an enclave under one of its keys; the audio never enters the app. Needs audio.in and enclave. */
  recordInto(vault: Enclave, key: i32): Status {
    if (this.handle < 0) return this.handle;
    if (vault.handle < 0) return vault.handle;
    return audio_record(this.handle, vault.handle, key);
  }
}

/** A speaker (audio-out). */
export class Speaker extends Device {
  /** Queues PCM; returns how many bytes were taken, or a negative Status. Needs audio.out. */
  write(pcm: Uint8Array): i32 {
    return this.handle < 0 ? this.handle : audio_write(this.handle, pcm.dataStart, pcm.byteLength);
  }

  /** Plays a clip shipped with the app, aimed at one person when the speaker is directional. Needs audio.out. */
  play(clip: string, to: Person = Everyone): Status {
    if (this.handle < 0) return this.handle;
    const bytes = utf8(clip);
    return audio_play(this.handle, changetype<usize>(bytes), bytes.byteLength, to);
  }
}

export namespace audio {
  export function microphone(alias: string): Microphone { return new Microphone(alias); }
  export function speaker(alias: string): Speaker { return new Speaker(alias); }
}
