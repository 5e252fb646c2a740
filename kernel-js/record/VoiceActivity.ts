import type { AudioFormat } from '../../drivers/index.js';

/** A stretch of speech: [start, end] in milliseconds of the epoch's recorded audio. */
export type Segment = readonly [number, number];

export interface VoiceActivityOptions extends AudioFormat {
  /** Length of one analysis frame. Default 20 ms. */
  readonly frameMs?: number;
  /** A frame whose RMS (of full scale 32768) reaches this is voiced. Default 500, about -36 dBFS. */
  readonly threshold?: number;
  /** Unvoiced frames shorter than this between two voiced ones do not end a segment (the pauses inside speech). Default 300 ms. */
  readonly hangoverMs?: number;
}

/**
 * Voice activity per channel of a microphone, the small record derived from a recording: when
 * each channel (a seat's microphone) carried speech, without what was said. A frame is voiced
 * when its energy passes a threshold; voiced frames closer than the hangover join into one
 * segment, which runs from the start of its first voiced frame to the end of its last. Times
 * are positions in the audio pushed, counted in samples, so they do not depend on when it
 * arrived.
 */
export class VoiceActivity {
  readonly #channels: number;
  readonly #rate: number;
  readonly #frameSamples: number;
  readonly #threshold2: number;
  readonly #hangoverFrames: number;
  /** Sum of squares of the frame being filled, per channel. */
  readonly #sums: Float64Array;
  #filled = 0;
  #frames = 0;
  /** Per channel: the first and last voiced frame of the open segment, if any. */
  readonly #open: ({ first: number; last: number } | undefined)[];
  readonly #closed: Segment[][];

  constructor(options: VoiceActivityOptions) {
    this.#channels = options.channels;
    this.#rate = options.rate;
    this.#frameSamples = Math.max(1, Math.round((options.rate * (options.frameMs ?? 20)) / 1000));
    this.#threshold2 = (options.threshold ?? 500) ** 2;
    this.#hangoverFrames = Math.round((options.rate * (options.hangoverMs ?? 300)) / 1000 / this.#frameSamples);
    this.#sums = new Float64Array(this.#channels);
    this.#open = Array.from({ length: this.#channels }, () => undefined);
    this.#closed = Array.from({ length: this.#channels }, () => []);
  }

  /** PCM as the microphone delivers it, channels interleaved; any number of whole frames. */
  push(pcm: Int16Array): void {
    const channels = this.#channels;
    for (let at = 0; at + channels <= pcm.length; at += channels) {
      for (let channel = 0; channel < channels; channel++) {
        const sample = pcm[at + channel] ?? 0;
        this.#sums[channel] = (this.#sums[channel] ?? 0) + sample * sample;
      }
      if (++this.#filled === this.#frameSamples) this.#frameDone();
    }
  }

  /** Each channel's segments so far; a segment still open ends at its last voiced frame. */
  segments(): Segment[][] {
    return this.#closed.map((closed, channel) => {
      const open = this.#open[channel];
      return open === undefined ? [...closed] : [...closed, this.#segment(open.first, open.last)];
    });
  }

  #frameDone(): void {
    const frame = this.#frames++;
    for (let channel = 0; channel < this.#channels; channel++) {
      const voiced = (this.#sums[channel] ?? 0) / this.#frameSamples >= this.#threshold2;
      this.#sums[channel] = 0;
      const open = this.#open[channel];
      if (voiced) {
        if (open === undefined) this.#open[channel] = { first: frame, last: frame };
        else open.last = frame;
      } else if (open !== undefined && frame - open.last > this.#hangoverFrames) {
        this.#closed[channel]?.push(this.#segment(open.first, open.last));
        this.#open[channel] = undefined;
      }
    }
    this.#filled = 0;
  }

  #segment(first: number, last: number): Segment {
    const ms = (frame: number): number => Math.round((frame * this.#frameSamples * 1000) / this.#rate);
    return [ms(first), ms(last + 1)];
  }
}
