import { abiCodes } from './abiCodes.js';
import { bitmapFont } from './bitmapFont.js';
import { decodeUtf8 } from './decodeUtf8.js';
import type { DisplayHost } from './displayFunctions.js';
import type { HostFunctions } from './HostModule.js';
import type { KernelRect } from './KernelDevices.js';

const { status } = abiCodes;
/** The largest panel a display driver opens (FrameDisplay): taller text is a mistake, not a headline. */
const maxSize = 8192;

/**
 * `display.text` over the board's displays, in the shim's bitmap font (bitmapFont: printable
 * ASCII, a box for anything else). Text is `size` pixels tall, descenders included, scaled
 * from the font's 8 rows by nearest neighbour; "\n" starts a line size × 9/8 lower. What falls
 * outside the panel is clipped. The lit pixels are drawn as fills (runs of a glyph row, merged
 * down the rows they repeat on), never a blit, so the background stays as it was.
 */
export function textFunctions(host: DisplayHost): HostFunctions {
  return {
    'display.text': (handle = 0, x = 0, y = 0, size = 0, color = 0, ptr = 0, len = 0) => {
      const display = host.display(handle);
      if (display === undefined) return status.BadHandle;
      if (![x, y, size].every(Number.isInteger) || size < 1 || size > maxSize) return status.BadArgument;
      const bytes = host.bytes(ptr, len);
      const text = bytes === undefined ? undefined : decodeUtf8(bytes);
      if (text === undefined) return status.BadArgument;
      for (const rect of textRects(text, x, y, size, display)) display.fill(rect, color & 0xffffff);
      return status.Ok;
    },
  };
}

/** A run of lit pixels relative to the line's top-left corner, end-exclusive. */
interface Run {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** The rectangles that draw `text` at (x, y), `size` tall, clipped to a width×height panel. */
function textRects(text: string, x: number, y: number, size: number, panel: { readonly width: number; readonly height: number }): KernelRect[] {
  const { rows, advance, glyphWidth } = bitmapFont;
  // Font unit n starts at target pixel ceil(n × size / rows): every pixel belongs to exactly one unit.
  const at = (units: number): number => Math.ceil((units * size) / rows);
  const lineStep = Math.round((size * (rows + 1)) / rows);
  const rects: KernelRect[] = [];
  text.split('\n').forEach((line, index) => {
    const top = y + index * lineStep;
    if (top >= panel.height || top + size <= 0) return;
    const glyphs = Array.from(line, (char) => bitmapFont.glyph(char.codePointAt(0) ?? 0));
    // Runs still growing downwards, by "first:end" font column: a stem is one fill, not one a row.
    let open = new Map<string, Run>();
    const emit = (run: Run): void => {
      const left = Math.max(0, x + run.x0);
      const right = Math.min(panel.width, x + run.x1);
      const upper = Math.max(0, top + run.y0);
      const lower = Math.min(panel.height, top + run.y1);
      if (right > left && lower > upper) rects.push({ x: left, y: upper, width: right - left, height: lower - upper });
    };
    for (let row = 0; row < rows; row++) {
      const y0 = at(row);
      const y1 = at(row + 1);
      // A font row with no pixels at this size: the runs above it carry on past it.
      if (y1 === y0) continue;
      const next = new Map<string, Run>();
      let first = -1;
      const columns = glyphs.length * advance;
      for (let column = 0; column <= columns; column++) {
        const glyph = glyphs[Math.floor(column / advance)];
        const lit = column % advance < glyphWidth && glyph !== undefined && (((glyph[column % advance] ?? 0) >> row) & 1) === 1;
        if (lit && first < 0) first = column;
        if (!lit && first >= 0) {
          const key = `${first}:${column}`;
          const above = open.get(key);
          next.set(key, above === undefined ? { x0: at(first), x1: at(column), y0, y1 } : { ...above, y1 });
          open.delete(key);
          first = -1;
        }
      }
      for (const run of open.values()) emit(run);
      open = next;
    }
    for (const run of open.values()) emit(run);
  });
  return rects;
}
