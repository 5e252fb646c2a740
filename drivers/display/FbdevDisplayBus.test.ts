import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FbdevDisplayBus } from './FbdevDisplayBus.js';
import { FrameDisplay } from './FrameDisplay.js';

describe('FbdevDisplayBus', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes RGB565 at 16 bits a pixel, only in the refreshed rows and columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osmose-fb16-'));
    dirs.push(dir);
    const path = join(dir, 'fb0');
    writeFileSync(path, Buffer.alloc(4 * 2 * 3, 0xee));
    const display = new FrameDisplay({ bus: new FbdevDisplayBus({ path, width: 4, height: 3, bitsPerPixel: 16 }), width: 4, height: 3, technology: 'e-ink' });
    display.fill({ x: 1, y: 1, width: 2, height: 1 }, 0xff8000);
    display.flush();
    display.close();
    const fb = readFileSync(path);
    expect(fb.readUInt16LE((1 * 4 + 1) * 2)).toBe((31 << 11) | (32 << 5) | 0);
    expect(fb.readUInt16LE((1 * 4 + 2) * 2)).toBe((31 << 11) | (32 << 5) | 0);
    expect(fb.readUInt16LE((1 * 4 + 0) * 2)).toBe(0xeeee);
    expect(fb.readUInt16LE((0 * 4 + 1) * 2)).toBe(0xeeee);
  });

  it('refuses a device it cannot open', () => {
    expect(() => new FbdevDisplayBus({ path: '/nonexistent/fb9', width: 1, height: 1, bitsPerPixel: 32 })).toThrow(
      expect.objectContaining({ code: 'driver.bus-failed' }),
    );
  });
});
