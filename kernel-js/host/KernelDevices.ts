import type { AudioFormat, AudioIn, AudioOut, Enclave, KeyHandle, Serial } from '../../drivers/index.js';
import type { KernelDevice } from '../boot/KernelImage.js';
import type { KernelChannels } from './KernelChannels.js';
import type { KernelPresence } from './KernelPresence.js';

/**
 * What the host needs of a digital device: the level (1 is active), and setting it on an
 * output. drivers/ satisfies this with real GPIO; until then, and for tests, memoryDevices.
 */
export interface KernelDigital {
  readonly output: boolean;
  read(): number;
  write(level: number): void;
}

/** A rectangle of pixels; x and y are its top-left corner. */
export interface KernelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What the host needs of a display: its size, drawing (rectangles already checked to fit) and a flush. */
export interface KernelDisplay {
  readonly width: number;
  readonly height: number;
  fill(rect: KernelRect, color: number): void;
  /** `pixels` is the host's own copy: width×height×3 bytes, R, G, B. */
  blit(rect: KernelRect, pixels: Uint8Array): void;
  flush(): void;
}

/**
 * The board's devices by their name in the configuration, and what else the host reaches:
 * its circuits, who is in its space, and where sealed data is kept. Only digital devices are
 * required; a host without the others answers their functions as if the device were absent.
 */
export interface KernelDevices {
  readonly digital: (device: string) => KernelDigital | undefined;
  readonly display?: (device: string) => KernelDisplay | undefined;
  readonly serial?: (device: string) => Serial | undefined;
  readonly microphone?: (device: string) => AudioIn | undefined;
  readonly speaker?: (device: string) => AudioOut | undefined;
  readonly enclave?: (device: string) => Enclave | undefined;
  /** The board's circuits; none when absent. */
  readonly channels?: KernelChannels;
  /** Who is in the board's space; nobody when absent. */
  readonly presence?: KernelPresence;
  /** The clip files the board's slot verified, by SHA-256 (each fragment's configuration names its own); none when absent. */
  readonly clips?: (sha256: string) => Uint8Array | undefined;
  /** Keeps what is sealed under group keys (enclave.seal, audio.record), one key epoch at a time; nothing is kept when absent. */
  readonly keep?: KernelRecordKeeper;
  /** Told each time a clip is played on a speaker (device name, clip, the person aimed at or -1 for everyone): what a simulator journals. */
  readonly played?: (device: string, clip: string, person: number) => void;
}

/** Why a key epoch ended: the app dropped its key as someone left or arrived (or for its own reasons), or the fragment stopped holding it. */
export type KernelEpochEnd = 'left' | 'arrived' | 'dropped' | 'stopped';

/**
 * Where a board keeps recordings (kernel-js/record/RecordKeeper): each group key an app
 * derives begins a key epoch, wrapped there for each member, and what is sealed under the key
 * goes into it until the key is dropped.
 */
export interface KernelRecordKeeper {
  begin(start: KernelEpochStart): KernelEpoch;
}

export interface KernelEpochStart {
  /** The enclave device, by its name on the board. */
  readonly device: string;
  /** The fragment instance that derived the key: its policy (retain, disclose) governs the epoch. */
  readonly fragment: string;
  readonly enclave: Enclave;
  /** The enclave's own handle of the group key; it stays in the enclave. */
  readonly key: KeyHandle;
  /** The members' raw X25519 public keys, in seat order (arrival order: seat i is channel i of the microphone). */
  readonly members: readonly Uint8Array[];
}

/** One key epoch being written. */
export interface KernelEpoch {
  readonly id: string;
  /**
   * Takes one microphone's audio into the epoch, plaintext PCM in, sealed chunks kept; the
   * epoch's derived record (voice activity per channel) is computed from it on the way.
   * One microphone at a time: another is refused (`record.busy`) until `release`.
   */
  audio(format: AudioFormat): KernelEpochAudio;
  /** Seals and keeps one record the app sealed itself (enclave.seal). */
  seal(data: Uint8Array): void;
  /** Ends the epoch (sealing its derived record while the key still lives); ending twice is harmless. */
  end(reason: KernelEpochEnd): void;
}

export interface KernelEpochAudio {
  write(pcm: Int16Array): void;
  release(): void;
}

/** In-memory devices for every gpio-in and gpio-out of a configuration; `set` drives an input. */
export interface MemoryDevices extends KernelDevices {
  readonly set: (device: string, level: number) => void;
  readonly levels: () => Record<string, number>;
}

export function memoryDevices(devices: Readonly<Record<string, KernelDevice>>, onWrite: (device: string, level: number) => void = () => undefined): MemoryDevices {
  const levels = new Map<string, number>();
  const digitals = new Map<string, KernelDigital>();
  for (const [name, device] of Object.entries(devices)) {
    if (device.driver !== 'gpio-in' && device.driver !== 'gpio-out') continue;
    levels.set(name, 0);
    const output = device.driver === 'gpio-out';
    digitals.set(name, {
      output,
      read: () => levels.get(name) ?? 0,
      write: (level) => {
        levels.set(name, level);
        onWrite(name, level);
      },
    });
  }
  return {
    digital: (name) => digitals.get(name),
    set: (name, level) => {
      if (levels.has(name)) levels.set(name, level);
    },
    levels: () => Object.fromEntries(levels),
  };
}
