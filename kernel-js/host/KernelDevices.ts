import type { KernelDevice } from '../boot/KernelImage.js';

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

/** The board's devices by their name in the configuration. */
export interface KernelDevices {
  digital(device: string): KernelDigital | undefined;
  /** Absent where a board has no displays wired to the host (memoryDevices). */
  display?(device: string): KernelDisplay | undefined;
}

/** In-memory devices for every gpio-in and gpio-out of a configuration; `set` drives an input. */
export interface MemoryDevices extends KernelDevices {
  set(device: string, level: number): void;
  levels(): Record<string, number>;
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
