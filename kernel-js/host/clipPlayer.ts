import { decodeWav, type AudioOut, type Wav } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { driverStatus } from './driverStatus.js';

const { status, logLevel } = abiCodes;

/** The clips a fragment's app ships: a clip's WAV file by the name audio.play takes, undefined when it shipped no such clip. */
export type FragmentClips = (name: string) => Uint8Array | undefined;

/**
 * A fragment's clips: the names its configuration lists (clip name → SHA-256 of the WAV
 * file), found among the files its slot verified. A name the app did not ship finds nothing,
 * including one that only looks like a property of every object ("constructor").
 */
export function fragmentClips(names: Readonly<Record<string, string>> | undefined, files: ((sha256: string) => Uint8Array | undefined) | undefined): FragmentClips {
  return (name) => {
    if (names === undefined || files === undefined || !Object.hasOwn(names, name)) return undefined;
    const digest = names[name];
    return digest === undefined ? undefined : files(digest);
  };
}

export interface ClipPlay {
  readonly speaker: AudioOut;
  /** The speaker's handle, as the app knows it: log lines name it. */
  readonly handle: number;
  /** The clip's name, as the app passed it. */
  readonly clip: string;
  /** The person to aim at (a presence handle), or -1: everyone in earshot. */
  readonly person: number;
  readonly clips: FragmentClips | undefined;
  readonly log: (level: number, message: string) => void;
}

/** Decoded once per clip file: the slot's bytes live as long as the board runs the image. */
const decoded = new WeakMap<Uint8Array, Wav>();

/**
 * audio.play: one of the app's clips on a speaker, aimed at a person when asked. The answers,
 * in the order they are decided: NotFound for a clip the app does not ship; Unsupported for
 * a play aimed at someone on a speaker that cannot aim, since a plain speaker would tell
 * everyone in the space what was meant for one person (the app decides whether to say it to
 * everyone instead); BadArgument when the clip's rate or channels are not the speaker's,
 * since nothing is resampled. Each refusal the app cannot see the reason of is logged. A play
 * for everyone on a directional speaker turns its beam back from whoever it followed.
 */
export function playClip(play: ClipPlay): number {
  const { speaker, handle, clip, person, log } = play;
  const bytes = play.clips?.(clip);
  if (bytes === undefined) {
    log(logLevel.Warn, `audio ${handle}: the app ships no clip "${clip}"; a clip is a WAV file in the app's clips/ folder (clips/${clip}.wav)`);
    return status.NotFound;
  }
  if (person >= 0 && speaker.aim === undefined) return status.Unsupported;
  let wav = decoded.get(bytes);
  if (wav === undefined) {
    try {
      wav = decodeWav(bytes);
    } catch (error) {
      // The builder checked every clip and the slot verified its bytes: this is a bug, not the app's doing.
      log(logLevel.Error, `audio ${handle}: the clip "${clip}" cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      return status.Failed;
    }
    decoded.set(bytes, wav);
  }
  if (wav.rate !== speaker.rate || wav.channels !== speaker.channels) {
    log(
      logLevel.Warn,
      `audio ${handle}: the clip "${clip}" is ${wav.rate} Hz with ${wav.channels} channel(s), but the speaker plays ${speaker.rate} Hz with ${speaker.channels}; clips are not resampled: ship it in the speaker's format`,
    );
    return status.BadArgument;
  }
  try {
    speaker.aim?.(person >= 0 ? person : null);
    speaker.write(wav.samples);
  } catch (error) {
    return driverStatus(error, `audio ${handle} playing "${clip}"`, log);
  }
  return status.Ok;
}
