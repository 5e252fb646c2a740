import { describe, expect, it } from 'vitest';
import { KernelError } from '../KernelError.js';
import { ReplayWindow } from './ReplayWindow.js';

describe('ReplayWindow', () => {
  it('takes rising sequences and refuses each a second time', () => {
    const window = new ReplayWindow(8);
    for (const sequence of [10n, 11n, 15n]) {
      expect(window.isNew(sequence)).toBe(true);
      window.take(sequence);
      expect(window.isNew(sequence)).toBe(false);
    }
    expect(window.highest).toBe(15n);
  });

  it('takes a late sequence inside the window once, and refuses one below it', () => {
    const window = new ReplayWindow(8);
    window.take(100n);
    window.take(104n);
    expect([96n, 97n, 99n, 101n, 103n].map((sequence) => window.isNew(sequence))).toEqual([false, true, true, true, true]);
    window.take(101n);
    expect([window.isNew(101n), window.isNew(100n), window.isNew(102n)]).toEqual([false, false, true]);
  });

  it('forgets what slid out of the window, and a jump past the window clears it', () => {
    const window = new ReplayWindow(4);
    window.take(1n);
    window.take(2n);
    window.take(3n);
    window.take(4n);
    // 4 is highest; 1..4 are within the 4-bit window and all seen.
    expect([1n, 2n, 3n, 4n].map((sequence) => window.isNew(sequence))).toEqual([false, false, false, false]);
    window.take(1000n);
    expect([996n, 997n, 999n, 1000n].map((sequence) => window.isNew(sequence))).toEqual([false, true, true, false]);
  });

  it('keeps bits right across a shift smaller than the window', () => {
    const window = new ReplayWindow(128);
    window.take(500n);
    window.take(498n);
    window.take(560n);
    expect([window.isNew(500n), window.isNew(498n), window.isNew(499n), window.isNew(560n), window.isNew(559n)]).toEqual([false, false, true, false, true]);
  });

  it('refuses a window size outside 1 to 4096', () => {
    expect(() => new ReplayWindow(0)).toThrow(KernelError);
    expect(() => new ReplayWindow(1.5)).toThrow(expect.objectContaining({ code: 'circuit.bad-option' }));
  });
});
