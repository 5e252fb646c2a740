import { afterEach, describe, expect, it } from 'vitest';
import type { Display, Rect } from '../display/Display.js';

/** A display under test and a view of its panel. */
export interface DisplayRig {
  readonly driver: Display;
  /** The colour the panel shows at (x, y), 0xRRGGBB: only refreshed pixels change it. */
  readonly shown: (x: number, y: number) => number;
  /** The rectangles the panel was asked to refresh, oldest first. */
  readonly refreshes: () => readonly Rect[];
}

export interface DisplayHarness {
  readonly name: string;
  open(options: { readonly width: number; readonly height: number; readonly technology: 'e-ink' | 'lcd' }): DisplayRig;
}

const RED = 0xff0000;
const BLUE = 0x0000ff;

/** Registers the display conformance tests for one driver+backend pair. */
export function displayConformance(harness: DisplayHarness): void {
  describe(`display conformance: ${harness.name}`, () => {
    const rigs: DisplayRig[] = [];
    const open = (technology: 'e-ink' | 'lcd' = 'e-ink', width = 16, height = 8): DisplayRig => {
      const rig = harness.open({ width, height, technology });
      rigs.push(rig);
      return rig;
    };
    afterEach(() => {
      for (const rig of rigs.splice(0)) rig.driver.close();
    });

    it('has the size it was opened with and an RGB frame buffer of that size', () => {
      const { driver } = open('lcd', 20, 10);
      expect([driver.width, driver.height, driver.technology]).toEqual([20, 10, 'lcd']);
      expect(driver.framebuffer.length).toBe(20 * 10 * 3);
    });

    it('e-ink: a flush refreshes only the area drawn since the last flush', () => {
      const { driver, shown, refreshes } = open('e-ink');
      driver.fill({ x: 1, y: 1, width: 2, height: 2 }, RED);
      driver.fill({ x: 5, y: 3, width: 1, height: 1 }, BLUE);
      expect(shown(1, 1)).toBe(0);
      expect(driver.flush()).toEqual({ x: 1, y: 1, width: 5, height: 3 });
      expect(refreshes()).toEqual([{ x: 1, y: 1, width: 5, height: 3 }]);
      expect([shown(1, 1), shown(2, 2), shown(5, 3), shown(0, 0), shown(3, 1)]).toEqual([RED, RED, BLUE, 0, 0]);
      expect(driver.flush()).toBeUndefined();
      expect(refreshes()).toHaveLength(1);
    });

    it('e-ink: a pixel drawn but outside the refreshed rectangle is not shown', () => {
      const { driver, shown } = open('e-ink');
      driver.fill({ x: 0, y: 0, width: 4, height: 1 }, RED);
      driver.flush({ x: 0, y: 0, width: 2, height: 1 });
      expect([shown(0, 0), shown(1, 0), shown(2, 0), shown(3, 0)]).toEqual([RED, RED, 0, 0]);
    });

    it('lcd: a flush shows the whole frame', () => {
      const { driver, shown, refreshes } = open('lcd', 4, 4);
      driver.framebuffer.set([0, 0, 0xff], (3 * 4 + 3) * 3);
      expect(driver.flush()).toEqual({ x: 0, y: 0, width: 4, height: 4 });
      expect(shown(3, 3)).toBe(BLUE);
      expect(refreshes()).toEqual([{ x: 0, y: 0, width: 4, height: 4 }]);
    });

    it('shows pixels written straight into the frame buffer when their rectangle is flushed', () => {
      const { driver, shown } = open('e-ink');
      driver.framebuffer.set([0xff, 0, 0], (2 * 16 + 7) * 3);
      driver.flush({ x: 7, y: 2, width: 1, height: 1 });
      expect(shown(7, 2)).toBe(RED);
    });

    it('blits rows of pixels into place', () => {
      const { driver, shown } = open('e-ink');
      driver.blit({ x: 14, y: 6, width: 2, height: 2 }, Uint8Array.of(255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0));
      driver.flush();
      expect([shown(14, 6), shown(15, 6), shown(14, 7), shown(15, 7)]).toEqual([RED, BLUE, BLUE, RED]);
      expect(() => driver.blit({ x: 0, y: 0, width: 2, height: 2 }, new Uint8Array(11))).toThrow(
        expect.objectContaining({ code: 'driver.bad-frame' }),
      );
    });

    it('refuses rectangles that are not inside the display', () => {
      const { driver, refreshes } = open('e-ink');
      const outside: Rect[] = [
        { x: 15, y: 0, width: 2, height: 1 },
        { x: 0, y: 7, width: 1, height: 2 },
        { x: -1, y: 0, width: 1, height: 1 },
        { x: 0, y: 0, width: 1.5, height: 1 },
        { x: 0, y: 0, width: 17, height: 8 },
      ];
      for (const rect of outside) {
        expect(() => driver.flush(rect), JSON.stringify(rect)).toThrow(expect.objectContaining({ code: 'driver.out-of-bounds' }));
        expect(() => driver.fill(rect, RED), JSON.stringify(rect)).toThrow(expect.objectContaining({ code: 'driver.out-of-bounds' }));
      }
      expect(driver.flush({ x: 0, y: 0, width: 16, height: 8 })).toEqual({ x: 0, y: 0, width: 16, height: 8 });
      expect(refreshes()).toHaveLength(1);
    });

    it('refuses a size outside 1..8192', () => {
      expect(() => harness.open({ width: 0, height: 8, technology: 'lcd' })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    });

    it('refuses every call after close, and closing twice is harmless', () => {
      const { driver } = open();
      driver.close();
      driver.close();
      const rect = { x: 0, y: 0, width: 1, height: 1 };
      expect(() => driver.fill(rect, RED)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => driver.blit(rect, new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => driver.flush()).toThrow(expect.objectContaining({ code: 'driver.closed' }));
    });
  });
}
