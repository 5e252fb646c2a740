import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boardsById, type BoardSpec } from '../../boards/index.js';
import { realBoardBuses } from './realBoardBuses.js';
import { resolveGpioLines } from './resolveGpioLines.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osmose-realbus-'));
  dirs.push(dir);
  return dir;
}

/** A sysfs tree with the given GPIO chips (label → base) and one frame buffer fb7. */
function fakeSysfs(chips: Record<string, number>): string {
  const sysfs = temp();
  for (const [label, base] of Object.entries(chips)) {
    const chip = join(sysfs, 'class', 'gpio', `gpiochip${base}`);
    mkdirSync(chip, { recursive: true });
    writeFileSync(join(chip, 'label'), `${label}\n`);
    writeFileSync(join(chip, 'base'), `${base}\n`);
  }
  const fb = join(sysfs, 'class', 'graphics', 'fb7');
  mkdirSync(fb, { recursive: true });
  writeFileSync(join(fb, 'virtual_size'), '8,4\n');
  writeFileSync(join(fb, 'bits_per_pixel'), '32\n');
  writeFileSync(join(fb, 'stride'), '32\n');
  return sysfs;
}

const board = (id: string): BoardSpec => {
  const spec = boardsById.get(id);
  if (spec === undefined) throw new Error(`no board ${id}`);
  return spec;
};

describe("a real board's buses", () => {
  it('numbers GPIO lines from the base of the chip with the bank\'s label, whatever the kernel made it', async () => {
    // A Pi 5 on a 6.6 kernel: the RP1 header chip sits at base 571, not 0 or 512.
    const sysfs = fakeSysfs({ 'pinctrl-rp1': 571, 'raspberrypi-exp-gpio': 563 });
    const lines = await resolveGpioLines(board('rpi5'), sysfs);
    expect([lines['GPIO17'], lines['GPIO27']]).toEqual([588, 598]);
    const bbb = await resolveGpioLines(board('beaglebone-black'), fakeSysfs({ 'gpio-0-31': 512, 'gpio-32-63': 544, 'gpio-64-95': 576, 'gpio-96-127': 608 }));
    expect([bbb['P8_13'], bbb['P8_11'], bbb['P8_7'], bbb['P9_27']]).toEqual([512 + 23, 544 + 13, 576 + 2, 608 + 19]);
  });

  it('refuses a board whose chip is not there, naming the chips it found', async () => {
    const sysfs = fakeSysfs({ 'pinctrl-rp1': 571 });
    await expect(resolveGpioLines(board('rpi4'), sysfs)).rejects.toMatchObject({ code: 'kernel.gpio-chip', data: { chip: 'pinctrl-bcm2711', found: ['pinctrl-rp1'] } });
    await expect(realBoardBuses(board('rpi4'), { dir: temp(), sysfs, devices: { lamp: { driver: 'gpio-out', settings: {} } } })).rejects.toMatchObject({ code: 'kernel.gpio-chip' });
  });

  it('opens the display on the board\'s frame buffer with the geometry sysfs reports, and refuses a larger panel', async () => {
    const sysfs = fakeSysfs({});
    const fb = join(temp(), 'fb7');
    writeFileSync(fb, Buffer.alloc(32 * 4));
    const buses = await realBoardBuses({ ...board('qemu-virt'), framebuffer: fb }, { dir: temp(), sysfs, devices: {} });
    const panel = buses.display?.(8, 4);
    panel?.refresh(new Uint8Array(8 * 4 * 3).fill(0xff), 8, { x: 0, y: 0, width: 1, height: 1 });
    panel?.close();
    expect(readFileSync(fb).readUInt32LE(0) & 0xffffff).toBe(0xffffff);
    expect(readFileSync(fb).readUInt32LE(4)).toBe(0);
    expect(() => buses.display?.(9, 4)).toThrow(expect.objectContaining({ code: 'kernel.board-device' }) as Error);
  });

  it("keeps the enclave's device secret in the board directory, private, and the same across boots", async () => {
    const dir = temp();
    const devices = { vault: { driver: 'enclave', settings: {} } };
    const first = (await realBoardBuses(board('rpi4'), { dir, sysfs: fakeSysfs({}), devices })).enclave?.();
    const sealed = first?.seal(first.derivedKey('notes'), new TextEncoder().encode('kept'));
    expect(statSync(join(dir, 'enclave.key')).mode & 0o777).toBe(0o600);
    const second = (await realBoardBuses(board('rpi4'), { dir, sysfs: fakeSysfs({}), devices })).enclave?.();
    expect(second && sealed && new TextDecoder().decode(second.open(second.derivedKey('notes'), sealed))).toBe('kept');
    writeFileSync(join(dir, 'enclave.key'), Buffer.alloc(5));
    await expect(realBoardBuses(board('rpi4'), { dir, sysfs: fakeSysfs({}), devices })).rejects.toMatchObject({ code: 'kernel.enclave-key' });
  });

  it('refuses a serial port, audio or enclave the board type does not name', async () => {
    const buses = await realBoardBuses(board('qemu-virt'), { dir: temp(), sysfs: fakeSysfs({}), devices: {} });
    await expect(buses.serial?.('serial9', 9600)).rejects.toMatchObject({ code: 'kernel.board-device', data: { what: 'serial port serial9' } });
    expect(() => buses.audioIn?.()).toThrow(expect.objectContaining({ code: 'kernel.board-device' }) as Error);
    expect(() => buses.enclave?.()).toThrow(expect.objectContaining({ code: 'kernel.board-device' }) as Error);
  });
});
