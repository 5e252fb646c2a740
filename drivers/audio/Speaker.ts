import { closedError, DriverError } from '../DriverError.js';
import type { AudioOut } from './Audio.js';
import type { AudioOutBus } from './AudioBus.js';
import { checkFormat, checkFrames } from './checkFormat.js';

export interface SpeakerOptions {
  readonly bus: AudioOutBus;
  /** Default 16000. */
  readonly rate?: number;
  /** Default 1. */
  readonly channels?: number;
  /**
   * A tight-beam speaker heard only where it points (the audio-out setting `directional`).
   * Only such a speaker has `aim`. Default false.
   */
  readonly directional?: boolean;
}

/** A speaker (driver audio-out). */
export class Speaker implements AudioOut {
  readonly rate: number;
  readonly channels: number;
  /**
   * Set on a directional speaker only: a plain one fills the room, so it must not look as if
   * it could keep a message to one person.
   */
  readonly aim?: (person: number | null) => void;
  readonly #bus: AudioOutBus;
  #closed = false;

  constructor(options: SpeakerOptions) {
    const format = checkFormat({ rate: options.rate ?? 16000, channels: options.channels ?? 1 });
    this.rate = format.rate;
    this.channels = format.channels;
    this.#bus = options.bus;
    if (options.directional === true) {
      this.aim = (person) => {
        if (this.#closed) throw closedError('audio-out');
        if (person !== null && (!Number.isSafeInteger(person) || person < 0)) {
          throw new DriverError('driver.bad-option', `a speaker aims at a person (a handle of 0 or more) or at no one (null), not ${String(person)}`, { data: { person } });
        }
        this.#bus.aim?.(person);
      };
    }
  }

  write(pcm: Int16Array): void {
    if (this.#closed) throw closedError('audio-out');
    checkFrames(pcm, this.channels);
    this.#bus.play({ rate: this.rate, channels: this.channels }, pcm);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bus.close();
  }
}
