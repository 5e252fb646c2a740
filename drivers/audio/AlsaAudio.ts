import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DriverError } from '../DriverError.js';
import type { AudioFormat } from './Audio.js';
import type { AudioInBus, AudioOutBus } from './AudioBus.js';

export interface AlsaOptions {
  /** The ALSA PCM, such as default, hw:1,0 or plughw:CARD=Mic. */
  readonly device: string;
  /** Environment of the arecord/aplay child (ALSA reads its configuration through HOME). */
  readonly env?: NodeJS.ProcessEnv;
}

const formatArgs = (device: string, format: AudioFormat): string[] => [
  '-q', '-D', device, '-t', 'raw', '-f', 'S16_LE', '-r', String(format.rate), '-c', String(format.channels),
];

/**
 * Capture through ALSA's `arecord` (alsa-utils), raw S16_LE on its stdout. Bytes are cut into
 * whole frames before they are delivered; a partial frame waits for the next chunk.
 */
export class AlsaMicrophoneBus implements AudioInBus {
  readonly #options: AlsaOptions;
  #child: ChildProcess | undefined;

  constructor(options: AlsaOptions) {
    this.#options = options;
  }

  start(format: AudioFormat, deliver: (pcm: Int16Array) => void): void {
    this.stop();
    const child = spawn('arecord', formatArgs(this.#options.device, format), { stdio: ['ignore', 'pipe', 'ignore'], env: this.#options.env ?? process.env });
    child.on('error', () => undefined); // a missing arecord shows as a capture that delivers nothing; `exited` reports it
    const frameBytes = format.channels * 2;
    let pending: Buffer = Buffer.alloc(0);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const whole = pending.length - (pending.length % frameBytes);
      if (whole === 0) return;
      const pcm = new Int16Array(whole / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = pending.readInt16LE(i * 2);
      pending = pending.subarray(whole);
      deliver(pcm);
    });
    this.#child = child;
  }

  stop(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child !== undefined && child.exitCode === null) child.kill('SIGTERM');
  }

  close(): void {
    this.stop();
  }

  /** Resolves when the current capture's arecord has exited (at the end of a finite source, or after stop). */
  async exited(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    await once(child, 'close');
  }
}

/** Playback through ALSA's `aplay`: one child per format, fed raw S16_LE on its stdin. */
export class AlsaSpeakerBus implements AudioOutBus {
  readonly #options: AlsaOptions;
  #child: ChildProcess | undefined;
  #format: AudioFormat | undefined;
  #closing: Promise<void> = Promise.resolve();

  constructor(options: AlsaOptions) {
    this.#options = options;
  }

  play(format: AudioFormat, pcm: Int16Array): void {
    if (this.#child === undefined || this.#format?.rate !== format.rate || this.#format.channels !== format.channels) {
      this.#end();
      const child = spawn('aplay', formatArgs(this.#options.device, format), { stdio: ['pipe', 'ignore', 'ignore'], env: this.#options.env ?? process.env });
      child.on('error', () => undefined);
      child.stdin?.on('error', () => undefined); // aplay gone: what is left is dropped, as on a pulled cable
      this.#child = child;
      this.#format = format;
    }
    const bytes = Buffer.alloc(pcm.length * 2);
    pcm.forEach((sample, i) => bytes.writeInt16LE(sample, i * 2));
    if (this.#child.stdin?.writable !== true) throw new DriverError('driver.bus-failed', `aplay on ${this.#options.device} is not running`);
    this.#child.stdin.write(bytes);
  }

  close(): void {
    this.#end();
  }

  /** Resolves once every aplay started so far has played what it was given and exited. */
  drained(): Promise<void> {
    return this.#closing;
  }

  #end(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined) return;
    const closed = child.exitCode === null ? once(child, 'close').then(() => undefined) : Promise.resolve();
    child.stdin?.end();
    this.#closing = Promise.all([this.#closing, closed]).then(() => undefined);
  }
}
