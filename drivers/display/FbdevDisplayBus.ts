import { closeSync, openSync, writeSync } from 'node:fs';
import { DriverError } from '../DriverError.js';
import type { Rect } from './Display.js';
import type { DisplayBus } from './DisplayBus.js';

export interface FbdevDisplayBusOptions {
  /** The frame-buffer device, such as /dev/fb0. */
  readonly path: string;
  /** Visible size in pixels (from /sys/class/graphics/fbN/virtual_size). */
  readonly width: number;
  readonly height: number;
  /** 16 (RGB565) or 32 (XRGB8888), from /sys/class/graphics/fbN/bits_per_pixel. */
  readonly bitsPerPixel: 16 | 32;
  /** Bytes a row (from /sys/class/graphics/fbN/stride); default width × bytes a pixel. */
  readonly stride?: number;
}

/**
 * A Linux frame-buffer device (/dev/fb*). Written with positioned writes, one row of a
 * rectangle at a time, so a partial refresh touches only its rows; the kernel's fbdev write
 * path needs no ioctl or mmap, which Node cannot do without an addon. Geometry comes from
 * sysfs through the options, so the bus reads nothing itself.
 */
export class FbdevDisplayBus implements DisplayBus {
  readonly #fd: number;
  readonly #options: FbdevDisplayBusOptions;
  readonly #stride: number;
  readonly #bytes: number;
  #closed = false;

  constructor(options: FbdevDisplayBusOptions) {
    this.#options = options;
    this.#bytes = options.bitsPerPixel / 8;
    this.#stride = options.stride ?? options.width * this.#bytes;
    try {
      this.#fd = openSync(options.path, 'r+');
    } catch (cause) {
      throw new DriverError('driver.bus-failed', `could not open ${options.path}: ${String(cause)}`, { cause, data: { path: options.path } });
    }
  }

  refresh(frame: Uint8Array, width: number, rect: Rect): void {
    if (this.#closed) return;
    const x1 = Math.min(rect.x + rect.width, this.#options.width);
    const y1 = Math.min(rect.y + rect.height, this.#options.height);
    if (x1 <= rect.x || y1 <= rect.y) return;
    const row = Buffer.alloc((x1 - rect.x) * this.#bytes);
    for (let y = rect.y; y < y1; y++) {
      for (let x = rect.x; x < x1; x++) {
        const at = (y * width + x) * 3;
        const [r, g, b] = [frame[at] ?? 0, frame[at + 1] ?? 0, frame[at + 2] ?? 0];
        const out = (x - rect.x) * this.#bytes;
        if (this.#bytes === 2) row.writeUInt16LE(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3), out);
        else row.writeUInt32LE(((r << 16) | (g << 8) | b) >>> 0, out);
      }
      writeSync(this.#fd, row, 0, row.length, y * this.#stride + rect.x * this.#bytes);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
