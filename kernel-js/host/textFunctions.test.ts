import { describe, expect, it } from 'vitest';
import { FrameDisplay, SimDisplayBus } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import type { KernelDisplay, KernelRect } from './KernelDevices.js';
import { textFunctions } from './textFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status } = abiCodes;
const ink = 0xc01020;
const paper = 0xffffff;

// Drawn by hand from the glyphs' intended shapes, not from the font table.
const H = ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#', '.....'];
const i = ['..#..', '.....', '.##..', '..#..', '..#..', '..#..', '.###.', '.....'];
const g = ['.....', '.....', '.####', '#...#', '#...#', '.####', '....#', '.###.'];
const box = ['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####', '.....'];

/** Lines of art side by side, one empty column between glyphs, as the font advances. */
const beside = (...glyphs: string[][]): string[] => Array.from({ length: 8 }, (_, row) => glyphs.map((glyph) => glyph[row] ?? '').join('.'));
const scaled = (art: string[], factor: number): string[] => art.flatMap((line) => Array<string>(factor).fill([...line].map((c) => c.repeat(factor)).join('')));

function panel(width: number, height: number) {
  const bus = new SimDisplayBus({ width, height });
  const frame = new FrameDisplay({ bus, width, height });
  frame.fill({ x: 0, y: 0, width, height }, paper);
  const fills: KernelRect[] = [];
  // The driver itself, behind a count of the fills the host asks for.
  const display: KernelDisplay = {
    width,
    height,
    fill: (rect, color) => {
      fills.push(rect);
      frame.fill(rect, color);
    },
    blit: (rect, pixels) => frame.blit(rect, pixels),
    flush: () => frame.flush(),
  };
  const memory = new WebAssembly.Memory({ initial: 1 });
  const text = textFunctions({ display: (handle) => (handle === 1 ? display : undefined), bytes: wasmMemoryAccess(() => memory).bytes });
  const draw = (x: number, y: number, size: number, value: string | Uint8Array): number => {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    new Uint8Array(memory.buffer).set(bytes, 256);
    const result = (text['display.text'] ?? (() => NaN))(1, x, y, size, ink, 256, bytes.length);
    frame.flush();
    return result;
  };
  /** What the panel shows in a rectangle: # for ink, . for paper, ? for anything else. */
  const art = (x: number, y: number, w: number, h: number): string[] =>
    Array.from({ length: h }, (_, row) => Array.from({ length: w }, (_, col) => ({ [ink]: '#', [paper]: '.' })[bus.pixel(x + col, y + row)] ?? '?').join(''));
  return { bus, frame, memory, fills, text, draw, art };
}

describe('textFunctions', () => {
  it('draws text in the bitmap font on the panel, leaving the background as it was', () => {
    const { draw, art } = panel(20, 10);
    expect(draw(1, 1, 8, 'Hig')).toBe(status.Ok);
    expect(art(0, 0, 20, 10)).toEqual([
      '.'.repeat(20),
      ...beside(H, i, g).map((line) => `.${line}..`),
      '.'.repeat(20),
    ]);
  });

  it('scales to size pixels tall: twice the size, each font pixel 2×2; 12 pixels, H is 8×11', () => {
    const big = panel(24, 20);
    big.draw(0, 0, 16, 'Hi');
    expect(big.art(0, 0, 22, 16)).toEqual(scaled(beside(H, i), 2));
    const odd = panel(24, 20);
    odd.draw(2, 3, 12, 'H');
    const lit = odd.art(0, 0, 24, 20).flatMap((line, y) => [...line].flatMap((c, x) => (c === '#' ? [[x, y] as const] : [])));
    expect([Math.min(...lit.map(([x]) => x)), Math.max(...lit.map(([x]) => x)), Math.min(...lit.map(([, y]) => y)), Math.max(...lit.map(([, y]) => y))]).toEqual([2, 9, 3, 13]);
  });

  it('clips what falls outside the panel: what shows is the window of the text drawn whole', () => {
    const whole = panel(80, 12);
    whole.draw(0, 0, 8, 'HELLO WORLD');
    const clipped = panel(10, 5);
    expect(clipped.draw(-3, -2, 8, 'HELLO WORLD')).toBe(status.Ok);
    expect(clipped.art(0, 0, 10, 5)).toEqual(whole.art(3, 2, 10, 5));
    expect([clipped.draw(-100, 0, 8, 'far left'), clipped.draw(0, 50, 8, 'far below'), clipped.draw(2_000_000_000, 0, 8, 'far right')]).toEqual([status.Ok, status.Ok, status.Ok]);
  });

  it('draws a box for a character the font lacks, one per code point, and starts a line lower at \\n', () => {
    const { draw, art } = panel(20, 18);
    draw(0, 0, 8, '€😀H\ni');
    expect(art(0, 0, 17, 8)).toEqual(beside(box, box, H));
    expect(art(0, 9, 5, 8)).toEqual(i);
  });

  it('fills runs merged down the rows they repeat on: I is three fills at any size', () => {
    const { draw, fills } = panel(40, 40);
    draw(0, 0, 24, 'I');
    expect(fills).toEqual([
      { x: 3, y: 0, width: 9, height: 3 },
      { x: 6, y: 3, width: 3, height: 15 },
      { x: 3, y: 18, width: 9, height: 3 },
    ]);
  });

  it('answers BadHandle for a handle that is no display, BadArgument for a bad size, bad UTF-8 or a range outside memory', () => {
    const { text, draw, memory, fills } = panel(8, 8);
    const call = text['display.text'] ?? (() => NaN);
    expect(call(2, 0, 0, 8, ink, 0, 1)).toBe(status.BadHandle);
    expect([draw(0, 0, 0, 'a'), draw(0, 0, -8, 'a'), draw(0, 0, 9000, 'a'), draw(0, 0, 8, Uint8Array.of(0x41, 0xc3)), draw(0, 0, 8, Uint8Array.of(0xed, 0xa0, 0x80))]).toEqual(Array(5).fill(status.BadArgument));
    expect([call(1, 0, 0, 8, ink, memory.buffer.byteLength - 1, 2), call(1, 0, 0, 8, ink, 0, -1)]).toEqual([status.BadArgument, status.BadArgument]);
    expect(fills).toEqual([]);
    expect(draw(0, 0, 8, '')).toBe(status.Ok);
  });
});
