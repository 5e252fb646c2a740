/** A rectangle of pixels; x and y are its top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The one interface of the display class: a frame buffer and a refresh of part or all of it. */
export interface Display {
  readonly width: number;
  readonly height: number;
  /** e-ink refreshes only what changed; lcd shows the whole frame on every flush. */
  readonly technology: 'e-ink' | 'lcd';
  /**
   * The frame buffer: 3 bytes a pixel (R, G, B), row by row. Draw into it directly and name
   * the area in `flush(rect)`, or draw with fill/blit and let flush find the area.
   */
  readonly framebuffer: Uint8Array;
  /** Fills a rectangle with one colour, 0xRRGGBB. */
  fill(rect: Rect, color: number): void;
  /** Copies width×height pixels, 3 bytes each, into a rectangle. */
  blit(rect: Rect, pixels: Uint8Array): void;
  /**
   * Shows part of the frame: `rect` when given, else what fill/blit changed since the last
   * flush (the whole frame on lcd). Returns the area refreshed, undefined when nothing was.
   */
  flush(rect?: Rect): Rect | undefined;
  /** Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): void;
}
