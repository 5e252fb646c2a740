import { closedError, DriverError } from '../DriverError.js';
import type { Display, Rect } from './Display.js';
import type { DisplayBus } from './DisplayBus.js';

export interface FrameDisplayOptions {
  readonly bus: DisplayBus;
  readonly width: number;
  readonly height: number;
  readonly technology?: 'e-ink' | 'lcd';
}

/** A frame-buffer display (driver display); the panel behind it is the bus. */
export class FrameDisplay implements Display {
  readonly width: number;
  readonly height: number;
  readonly technology: 'e-ink' | 'lcd';
  readonly framebuffer: Uint8Array;
  readonly #bus: DisplayBus;
  #dirty: Rect | undefined;
  #closed = false;

  constructor(options: FrameDisplayOptions) {
    for (const side of ['width', 'height'] as const) {
      const value = options[side];
      if (!Number.isInteger(value) || value < 1 || value > 8192) {
        throw new DriverError('driver.bad-option', `display ${side} must be a whole number from 1 to 8192, not ${value}`, { data: { [side]: value } });
      }
    }
    this.width = options.width;
    this.height = options.height;
    this.technology = options.technology ?? 'lcd';
    this.framebuffer = new Uint8Array(this.width * this.height * 3);
    this.#bus = options.bus;
  }

  fill(rect: Rect, color: number): void {
    this.#assertOpen();
    this.#assertInside(rect);
    if (rect.width > 0 && rect.height > 0) {
      // One row of the colour, then copied to every row: a full 2560×1440 wall is filled in a
      // few milliseconds, not hundreds, so other boards sharing the process are not held up.
      const row = new Uint8Array(rect.width * 3);
      for (let x = 0; x < row.length; x += 3) {
        row[x] = (color >>> 16) & 0xff;
        row[x + 1] = (color >>> 8) & 0xff;
        row[x + 2] = color & 0xff;
      }
      for (let y = rect.y; y < rect.y + rect.height; y++) this.framebuffer.set(row, (y * this.width + rect.x) * 3);
    }
    this.#touch(rect);
  }

  blit(rect: Rect, pixels: Uint8Array): void {
    this.#assertOpen();
    this.#assertInside(rect);
    if (!(pixels instanceof Uint8Array) || pixels.length !== rect.width * rect.height * 3) {
      throw new DriverError('driver.bad-frame', `a ${rect.width}×${rect.height} blit takes ${rect.width * rect.height * 3} bytes`, {
        data: { expected: rect.width * rect.height * 3 },
      });
    }
    const row = rect.width * 3;
    for (let y = 0; y < rect.height; y++) {
      this.framebuffer.set(pixels.subarray(y * row, (y + 1) * row), ((rect.y + y) * this.width + rect.x) * 3);
    }
    this.#touch(rect);
  }

  flush(rect?: Rect): Rect | undefined {
    this.#assertOpen();
    if (rect !== undefined) this.#assertInside(rect);
    const area = rect ?? (this.technology === 'lcd' ? { x: 0, y: 0, width: this.width, height: this.height } : this.#dirty);
    this.#dirty = undefined;
    if (area === undefined) return undefined;
    this.#bus.refresh(this.framebuffer, this.width, area);
    return area;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bus.close();
  }

  #touch(rect: Rect): void {
    if (rect.width === 0 || rect.height === 0) return;
    const d = this.#dirty;
    if (d === undefined) {
      this.#dirty = { ...rect };
      return;
    }
    const x = Math.min(d.x, rect.x);
    const y = Math.min(d.y, rect.y);
    this.#dirty = {
      x,
      y,
      width: Math.max(d.x + d.width, rect.x + rect.width) - x,
      height: Math.max(d.y + d.height, rect.y + rect.height) - y,
    };
  }

  #assertInside(rect: Rect): void {
    const whole = [rect.x, rect.y, rect.width, rect.height].every((n) => Number.isInteger(n) && n >= 0);
    if (!whole || rect.x + rect.width > this.width || rect.y + rect.height > this.height) {
      throw new DriverError(
        'driver.out-of-bounds',
        `rectangle ${rect.width}×${rect.height} at (${rect.x}, ${rect.y}) is not inside the ${this.width}×${this.height} display`,
        { data: { ...rect, displayWidth: this.width, displayHeight: this.height } },
      );
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('display');
  }
}
