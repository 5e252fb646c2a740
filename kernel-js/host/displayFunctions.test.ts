import { describe, expect, it } from 'vitest';
import { FrameDisplay, SimDisplayBus } from '../../drivers/index.js';
import { abiDefinition } from '../../userland/abi/index.js';
import { displayFunctions } from './displayFunctions.js';

const { Ok, BadHandle, BadArgument, Unsupported } = abiDefinition.status;

describe('displayFunctions', () => {
  it('draws onto a FrameDisplay on a sim panel, checking handles and rectangles', () => {
    const panel = new SimDisplayBus({ width: 4, height: 2 });
    const frame = new FrameDisplay({ bus: panel, width: 4, height: 2 });
    const memory = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const fns = displayFunctions({ display: (handle) => (handle === 1 ? frame : undefined), bytes: (ptr, len) => (ptr + len <= memory.length ? memory.slice(ptr, ptr + len) : undefined) });
    const call = (name: string, ...args: number[]): number => (fns[`display.${name}`] ?? (() => NaN))(...args);

    expect([call('width', 1), call('height', 1), call('width', 9)]).toEqual([4, 2, BadHandle.code]);
    expect(call('clear', 1, 0x102030)).toBe(Ok.code);
    expect(call('fill', 1, 3, 1, 1, 1, 0xff0000)).toBe(Ok.code);
    expect([call('fill', 1, 3, 1, 2, 1, 0), call('fill', 1, -1, 0, 1, 1, 0), call('fill', 1, 0, 0, 0, 1, 0)]).toEqual([BadArgument.code, BadArgument.code, BadArgument.code]);
    expect(call('blit', 1, 0, 0, 2, 1, 2, 6)).toBe(Ok.code);
    expect([call('blit', 1, 0, 0, 2, 1, 2, 5), call('blit', 1, 0, 0, 2, 1, 12, 6)]).toEqual([BadArgument.code, BadArgument.code]);
    expect([call('text', 1, 0, 0, 8, 0, 0, 0), call('text', 7, 0, 0, 8, 0, 0, 0)]).toEqual([Unsupported.code, BadHandle.code]);
    expect(call('flush', 1)).toBe(Ok.code);
    expect(panel.pixel(3, 1)).toBe(0xff0000);
    const pixel = (x: number, y: number): number[] => [...frame.framebuffer.slice((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)];
    expect([pixel(0, 0), pixel(1, 0), pixel(2, 0), pixel(3, 1), pixel(0, 1)]).toEqual([[20, 30, 40], [50, 60, 70], [0x10, 0x20, 0x30], [0xff, 0, 0], [0x10, 0x20, 0x30]]);
  });
});
