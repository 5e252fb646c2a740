import { Status } from "./codes";
import { Device } from "./device";
import { display_blit, display_clear, display_fill, display_flush, display_height, display_text, display_width } from "./host";
import { utf8 } from "./text";

export const White: i32 = 0xffffff;
export const Black: i32 = 0x000000;

/**
 * A screen (driver display). Drawing goes to a frame buffer and shows on flush(); an e-ink
 * screen then refreshes only the area that changed. Colours are 0xRRGGBB.
 */
export class Screen extends Device {
  width(): i32 { return this.handle < 0 ? this.handle : display_width(this.handle); }
  height(): i32 { return this.handle < 0 ? this.handle : display_height(this.handle); }

  clear(color: i32 = White): Status {
    return this.handle < 0 ? this.handle : display_clear(this.handle, color);
  }

  fill(x: i32, y: i32, w: i32, h: i32, color: i32): Status {
    return this.handle < 0 ? this.handle : display_fill(this.handle, x, y, w, h, color);
  }

  /** Text with its top-left corner at (x, y), `size` pixels tall. */
  text(x: i32, y: i32, size: i32, text: string, color: i32 = Black): Status {
    if (this.handle < 0) return this.handle;
    const bytes = utf8(text);
    return display_text(this.handle, x, y, size, color, changetype<usize>(bytes), bytes.byteLength);
  }

  /** w×h pixels of 3 bytes each (R, G, B), row by row. */
  blit(x: i32, y: i32, w: i32, h: i32, pixels: Uint8Array): Status {
    return this.handle < 0 ? this.handle : display_blit(this.handle, x, y, w, h, pixels.dataStart, pixels.byteLength);
  }

  flush(): Status {
    return this.handle < 0 ? this.handle : display_flush(this.handle);
  }

  /**
   * The whole screen given to one line of text, black on white, centred, then shown: an
   * eighth of the screen tall, smaller when that would not fit its width (a character
   * advances at most 3/4 of its height).
   */
  showText(text: string): Status {
    const height = this.height();
    if (height < 0) return height;
    const width = this.width();
    if (width < 0) return width;
    let status = this.clear(White);
    if (status != Status.Ok) return status;
    const chars = max(text.length, 1);
    const size = max(min(height / 8, (width - width / 8) * 4 / (3 * chars)), 8);
    status = this.text(max((width - chars * size * 3 / 4) / 2, 0), (height - size) / 2, size, text, Black);
    if (status != Status.Ok) return status;
    return this.flush();
  }
}

export namespace display {
  export function open(alias: string): Screen { return new Screen(alias); }
}
