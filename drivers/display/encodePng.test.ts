import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FrameDisplay } from './FrameDisplay.js';
import { SimDisplayBus } from './SimDisplayBus.js';

describe('SimDisplayBus.png', () => {
  it('renders what the panel shows as a valid RGB PNG', () => {
    const bus = new SimDisplayBus({ width: 3, height: 2 });
    const display = new FrameDisplay({ bus, width: 3, height: 2, technology: 'e-ink' });
    display.fill({ x: 2, y: 1, width: 1, height: 1 }, 0x123456);
    display.flush();
    const png = Buffer.from(bus.png());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 8, 2]);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('ascii', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((3 * 3 + 1) * 2);
    expect([...raw.subarray(10 + 1 + 6, 10 + 1 + 9)]).toEqual([0x12, 0x34, 0x56]);
    expect(png.toString('ascii', png.length - 8, png.length - 4)).toBe('IEND');
  });
});
