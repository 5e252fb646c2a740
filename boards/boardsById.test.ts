import { describe, expect, it } from 'vitest';
import { boardFeatures } from '../drivers/boardFeatures.js';
import { boardsById } from './boardsById.js';
import { gpioLineNames } from './BoardSpec.js';

describe('board support packages', () => {
  it('ships the boards the brief names', () => {
    expect([...boardsById.keys()].sort()).toEqual(['beaglebone-black', 'qemu-virt', 'rpi4', 'rpi5', 'sim']);
  });

  it.each([...boardsById.values()])('$id is well-formed data', (board) => {
    const names = gpioLineNames(board);
    expect(new Set(names).size).toBe(names.length); // a line name is unique on its board
    for (const bank of board.gpio) {
      expect(bank.chip).not.toBe('');
      const offsets = Object.values(bank.lines);
      expect(new Set(offsets).size).toBe(offsets.length); // no two names for one line
      for (const offset of offsets) expect(Number.isInteger(offset) && offset >= 0 && offset < 64).toBe(true);
    }
    for (const feature of board.supports) expect(boardFeatures).toContain(feature);
    // A real board names the device behind each class it supports; the sim board makes its own.
    if (!board.simulated) {
      expect(board.audio !== undefined, 'audio devices named').toBe(board.supports.includes('audio'));
      expect(board.framebuffer !== undefined, 'frame buffer named').toBe(board.supports.includes('display'));
      expect(board.enclave !== undefined, 'enclave secret named').toBe(board.supports.includes('enclave'));
    }
    expect(board.limits.memoryPages).toBeGreaterThan(0);
    expect(board.limits.memoryPages).toBeLessThanOrEqual(65536);
  });

  it('names sim lines like the Raspberry Pi header, so sim and rpi4 swap without edits', () => {
    const sim = boardsById.get('sim');
    const rpi4 = boardsById.get('rpi4');
    expect(sim && gpioLineNames(sim)).toEqual(rpi4 && gpioLineNames(rpi4));
    expect(sim?.simulated).toBe(true);
  });

  it('finds the Pi 5 header by the RP1 chip label, not the Pi 4 one', () => {
    expect(boardsById.get('rpi5')?.gpio[0]?.chip).toBe('pinctrl-rp1');
    expect(boardsById.get('rpi4')?.gpio[0]?.chip).toBe('pinctrl-bcm2711');
  });
});
