import type { Rect } from './Display.js';
import type { DisplayBus } from './DisplayBus.js';
import { encodePng } from './encodePng.js';

/**
 * A simulated panel. It keeps what it shows (only refreshed rectangles reach it, as on
 * e-ink), records every refresh, and renders what it shows as PNG for `osmose sim` and tests.
 */
export class SimDisplayBus implements DisplayBus {
  readonly width: number;
  readonly height: number;
  readonly #shown: Uint8Array;
  readonly #refreshes: Rect[] = [];
  #closed = false;

  constructor(options: { readonly width: number; readonly height: number }) {
    this.width = options.width;
    this.height = options.height;
    this.#shown = new Uint8Array(this.width * this.height * 3);
  }

  refresh(frame: Uint8Array, width: number, rect: Rect): void {
    if (this.#closed) return;
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      const from = (y * width + rect.x) * 3;
      this.#shown.set(frame.subarray(from, from + rect.width * 3), (y * this.width + rect.x) * 3);
    }
    this.#refreshes.push({ ...rect });
  }

  close(): void {
    this.#closed = true;
  }

  /** The rectangles refreshed so far, oldest first. */
  get refreshes(): readonly Rect[] {
    return [...this.#refreshes];
  }

  /** The colour shown at (x, y), 0xRRGGBB. */
  pixel(x: number, y: number): number {
    const at = (y * this.width + x) * 3;
    return ((this.#shown[at] ?? 0) << 16) | ((this.#shown[at + 1] ?? 0) << 8) | (this.#shown[at + 2] ?? 0);
  }

  /** What the panel shows, as a PNG file. */
  png(): Uint8Array {
    return encodePng(this.#shown, this.width, this.height);
  }
}
