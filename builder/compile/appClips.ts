import { audioRates } from '../../drivers/audio/checkFormat.js';
import { decodeWav } from '../../drivers/audio/wav.js';
import { sha256 } from '../cache/inputKey.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';

/** The folder of an app that holds its clips: `clips/directions/meeting-1.wav` is the clip `directions/meeting-1`. */
export const clipsFolder = 'clips';

/**
 * How large clips may be. A clip is read whole into the board's memory when it plays, and
 * every clip is copied into the image of every board that runs the app: one long recording
 * would cost every one of them.
 */
export const clipLimits = {
  /** One clip's file: about 32 s of 16 kHz mono, far more than a spoken direction needs. */
  clipBytes: 1024 * 1024,
  /** All of one app's clips together. */
  appBytes: 8 * 1024 * 1024,
} as const;

/** One clip an app ships, checked: what the image carries and what `audio.play` finds by name. */
export interface AppClip {
  /** Its path under `clips/` without `.wav`: what the app passes to `speaker.play`. */
  readonly name: string;
  /** The WAV file, as it is in the app's folder. */
  readonly wav: Uint8Array;
  /** SHA-256 of the file: the clip's name in the ledger and in a board's slot. */
  readonly digest: string;
  readonly rate: number;
  readonly channels: number;
  /** How long it plays, in milliseconds. */
  readonly ms: number;
}

export interface AppClipsInput {
  /** The app's name in building.yaml. */
  readonly app: string;
  /** The app's folder in the building repository; `apps/NAME` when absent. Issues name files under it. */
  readonly source?: string;
  /** The app folder's files by `/`-separated path relative to it; only those under `clips/` are read. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface ClipIssue extends ValidationIssue {
  readonly code: 'clip.not-wav' | 'clip.format' | 'clip.empty' | 'clip.too-large' | 'clip.app-too-large' | 'clip.stray-file' | 'clip.bad-name';
  readonly app: string;
}

const segment = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The clips an app ships in `clips/**\/*.wav`, each checked the way a board will need it: a
 * 16-bit PCM WAV file at a rate speakers play, of whole frames, not empty, within
 * `clipLimits`. A board cannot tell the app a clip is broken any better than `NotFound`, so
 * every problem is found here, at build time, with the file and the fix. Nothing is
 * resampled: a clip's rate and channels must be those of the speaker it plays on, which the
 * board checks when it plays. Returns the clips that passed, sorted by path, and an issue for
 * each file that did not; the build is refused when there is any.
 */
export function appClips(input: AppClipsInput): { readonly clips: readonly AppClip[]; readonly issues: readonly ClipIssue[] } {
  const source = (input.source ?? `apps/${input.app}`).replace(/\/+$/, '');
  const clips: AppClip[] = [];
  const issues: ClipIssue[] = [];
  const issue = (code: ClipIssue['code'], path: string, message: string, hint: string): void => {
    issues.push({ code, app: input.app, file: `${source}/${path}`, path: '', message, hint });
  };
  const paths = [...input.files.keys()].filter((path) => path.startsWith(`${clipsFolder}/`)).sort();
  for (const path of paths) {
    const bytes = input.files.get(path) ?? new Uint8Array();
    const relative = path.slice(clipsFolder.length + 1);
    if (!relative.endsWith('.wav')) {
      issue('clip.stray-file', path, `${path} of ${input.app} is not a .wav file, and ${clipsFolder}/ holds only the app's clips`, `convert it to a 16-bit PCM WAV file named *.wav, or move it out of ${clipsFolder}/`);
      continue;
    }
    const name = relative.slice(0, -'.wav'.length);
    if (!name.split('/').every((part) => segment.test(part))) {
      issue('clip.bad-name', path, `${path} of ${input.app} does not name a clip: each part of its path must be letters, digits, '_', '.' or '-', not starting with '.' or '-'`, 'rename the file');
      continue;
    }
    if (bytes.length > clipLimits.clipBytes) {
      issue('clip.too-large', path, `the clip ${name} of ${input.app} is ${size(bytes.length)}; a clip may be at most ${size(clipLimits.clipBytes)}`, 'shorten it, or save it at the rate and channels of the speakers it plays on (16 kHz mono unless building.yaml says otherwise)');
      continue;
    }
    let wav: ReturnType<typeof decodeWav>;
    try {
      wav = decodeWav(bytes);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      issue('clip.not-wav', path, `the clip ${name} of ${input.app} is ${why}`, `save it as a 16-bit PCM WAV file (for example: ffmpeg -i IN -ar 16000 -ac 1 -c:a pcm_s16le ${path})`);
      continue;
    }
    if (!(audioRates as readonly number[]).includes(wav.rate) || wav.channels < 1 || wav.channels > 8) {
      issue('clip.format', path, `the clip ${name} of ${input.app} is ${wav.rate} Hz with ${wav.channels} channel${wav.channels === 1 ? '' : 's'}; speakers play ${audioRates.join(', ')} Hz with 1 to 8 channels`, "resample it to the rate and channels of the speakers it plays on (16 kHz mono unless building.yaml says otherwise): boards play clips as they are");
      continue;
    }
    if (wav.samples.length % wav.channels !== 0) {
      issue('clip.format', path, `the clip ${name} of ${input.app} ends in the middle of a frame: ${wav.samples.length} samples are not whole frames of ${wav.channels} channels`, 'save it again with a tool that writes whole frames');
      continue;
    }
    if (wav.samples.length === 0) {
      issue('clip.empty', path, `the clip ${name} of ${input.app} holds no sound (its data chunk is empty)`, 'record the clip again, or remove the file');
      continue;
    }
    const frames = wav.samples.length / wav.channels;
    clips.push({ name, wav: bytes, digest: sha256(bytes), rate: wav.rate, channels: wav.channels, ms: Math.round((frames * 1000) / wav.rate) });
  }
  const total = clips.reduce((sum, clip) => sum + clip.wav.length, 0);
  if (total > clipLimits.appBytes) {
    issue('clip.app-too-large', clipsFolder, `the clips of ${input.app} come to ${size(total)}; an app's clips may come to at most ${size(clipLimits.appBytes)}, since every board that runs it carries them all`, 'shorten the clips, or ship fewer');
  }
  return { clips, issues };
}

/** Whole MiB when exact, else KiB rounded up: a file one byte over the limit must not read as the limit. */
function size(bytes: number): string {
  const mib = 1024 * 1024;
  return bytes % mib === 0 && bytes > 0 ? `${bytes / mib} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
