import type { Rect } from './Display.js';

/** The backend a display driver receives: a panel that shows a rectangle of a frame. */
export interface DisplayBus {
  /** Shows `rect` of `frame` (RGB, 3 bytes a pixel, `width` pixels a row). */
  refresh(frame: Uint8Array, width: number, rect: Rect): void;
  close(): void;
}
