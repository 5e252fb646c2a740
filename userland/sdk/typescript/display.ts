// Screens. Imported as one namespace (`display.open("screen")`), with Screen and the two
// colours also exported on their own, as in the AssemblyScript SDK.
import { Status } from './codes.js';
import { Device } from './device.js';
import { display_blit, display_clear, display_fill, display_flush, display_height, display_text, display_width } from './host.js';

/** White, 0xRRGGBB: what clear() fills with unless told otherwise. */
export const White = 0xffffff;
/** Black, 0xRRGGBB: the colour text() draws in unless told otherwise. */
export const Black = 0x000000;

/**
 * A screen (driver display). Drawing goes to a frame buffer and shows on flush(); an e-ink
 * screen then refreshes only the area that changed. Colours are 0xRRGGBB.
 */
export class Screen extends Device {
  /** Width in pixels, or a negative Status. */
  width(): number { return this.handle < 0 ? this.handle : display_width(this.handle); }
  /** Height in pixels, or a negative Status. */
  height(): number { return this.handle < 0 ? this.handle : display_height(this.handle); }

  /** Fills the whole frame buffer with one colour. */
  clear(color: number = White): Status {
    return this.handle < 0 ? this.handle : display_clear(this.handle, color);
  }

  /** Fills a rectangle. */
  fill(x: number, y: number, w: number, h: number, color: number): Status {
    return this.handle < 0 ? this.handle : display_fill(this.handle, x, y, w, h, color);
  }

  /** Text with its top-left corner at (x, y), `size` pixels tall. */
  text(x: number, y: number, size: number, text: string, color: number = Black): Status {
    return this.handle < 0 ? this.handle : display_text(this.handle, x, y, size, color, text);
  }

  /** w×h pixels of 3 bytes each (R, G, B), row by row. */
  blit(x: number, y: number, w: number, h: number, pixels: Uint8Array): Status {
    return this.handle < 0 ? this.handle : display_blit(this.handle, x, y, w, h, pixels);
  }

  /** Shows what was drawn since the last flush. */
  flush(): Status {
    return this.handle < 0 ? this.handle : display_flush(this.handle);
  }

  /**
   * The whole screen given to one line of text, black on white, centred, then shown: an
   * eighth of the screen tall, smaller when that would not fit its width (a character
   * advances at most 3/4 of its height). Integer arithmetic, as the AssemblyScript SDK's.
   */
  showText(text: string): Status {
    const height = this.height();
    if (height < 0) return height;
    const width = this.width();
    if (width < 0) return width;
    let status = this.clear(White);
    if (status !== Status.Ok) return status;
    const chars = Math.max(text.length, 1);
    const size = Math.max(Math.min(Math.trunc(height / 8), Math.trunc(((width - Math.trunc(width / 8)) * 4) / (3 * chars))), 8);
    status = this.text(Math.max(Math.trunc((width - Math.trunc((chars * size * 3) / 4)) / 2), 0), Math.trunc((height - size) / 2), size, text, Black);
    if (status !== Status.Ok) return status;
    return this.flush();
  }
}

/** Opens the screen bound to a need. */
export function open(alias: string): Screen { return new Screen(alias); }
