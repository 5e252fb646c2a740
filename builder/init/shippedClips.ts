import { encodeWav } from '../../drivers/audio/wav.js';

/** One note of an earcon: a pitch in Hz for some milliseconds; 0 Hz is a rest. */
interface Note {
  readonly hz: number;
  readonly ms: number;
}

/** The coworking template's speakers play audio-out's default: 16 kHz mono. */
const rate = 16000;
const channels = 1;

// Notes, in Hz (equal temperament, A4 = 440).
const C5 = 523.25;
const D5 = 587.33;
const E5 = 659.25;
const G5 = 783.99;
const A5 = 880;
const C6 = 1046.5;
const E6 = 1318.51;

/** Every direction starts with the same two notes, so a listener knows a direction follows. */
const attention: readonly Note[] = [
  { hz: G5, ms: 110 },
  { hz: C6, ms: 110 },
  { hz: 0, ms: 90 },
];

/**
 * The clips the apps that ship with osmose carry, by path under userland/apps/. osmose has no
 * speech synthesis and records nobody, so each stands in for a recorded sentence with an
 * earcon: a few notes, distinct per message, which a building replaces with recordings of its
 * own (same names, same format). Directions name the coworking template's spaces.
 */
const earcons: Readonly<Record<string, readonly Note[]>> = {
  'presence/clips/welcome.wav': [
    { hz: C5, ms: 130 },
    { hz: E5, ms: 130 },
    { hz: G5, ms: 130 },
    { hz: C6, ms: 300 },
  ],
  'wayfinding/clips/directions/meeting-1.wav': [...attention, { hz: E6, ms: 260 }],
  'wayfinding/clips/directions/meeting-2.wav': [...attention, { hz: E6, ms: 180 }, { hz: 0, ms: 70 }, { hz: E6, ms: 180 }],
  'wayfinding/clips/directions/open-space.wav': [...attention, { hz: G5, ms: 150 }, { hz: E5, ms: 150 }, { hz: C5, ms: 260 }],
  'wayfinding/clips/directions/booth.wav': [...attention, { hz: D5, ms: 130 }, { hz: A5, ms: 130 }, { hz: D5, ms: 200 }],
};

/**
 * The shipped apps' clips as WAV files (16 kHz mono, 16-bit PCM), by path under
 * userland/apps/: what `builder/init/makeClips.ts` writes there, and what its test compares
 * the committed files with. The same every time: the samples are a function of the notes.
 */
export function shippedClips(): Map<string, Uint8Array> {
  return new Map(Object.entries(earcons).map(([path, notes]) => [path, encodeWav({ rate, channels, samples: render(notes) })]));
}

/**
 * Each note a sine with a bell's envelope: a 5 ms rise (no click), then an exponential decay
 * to a third of the note, and a 5 ms fall to silence at its end, so notes never run into each
 * other. A quarter of full scale: loud enough, never clipping.
 */
function render(notes: readonly Note[]): Int16Array {
  const total = notes.reduce((sum, note) => sum + Math.round((note.ms * rate) / 1000), 0);
  const samples = new Int16Array(total);
  let at = 0;
  for (const { hz, ms } of notes) {
    const length = Math.round((ms * rate) / 1000);
    const edge = Math.round((5 * rate) / 1000);
    for (let i = 0; i < length && hz > 0; i++) {
      const t = i / rate;
      const rise = Math.min(1, i / edge);
      const fall = Math.min(1, (length - 1 - i) / edge);
      const decay = Math.exp((-3 * i) / length);
      samples[at + i] = Math.round(0.25 * 32767 * rise * fall * decay * Math.sin(2 * Math.PI * hz * t));
    }
    at += length;
  }
  return samples;
}
