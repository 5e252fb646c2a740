import { describe, expect, it } from 'vitest';
import { sharedLevelDevices } from './sharedLevelDevices.js';

describe('sharedLevelDevices', () => {
  it("reads each digital device's level from shared memory and stores and reports writes", () => {
    const levels = new Int32Array(new SharedArrayBuffer(12));
    const writes: [string, number][] = [];
    const devices = sharedLevelDevices(
      { screen: { driver: 'display', settings: {} }, button: { driver: 'gpio-in', settings: {} }, lamp: { driver: 'gpio-out', settings: {} } },
      levels,
      (device, level) => writes.push([device, level]),
    );
    expect(devices.digital('screen')).toBeUndefined();
    expect([devices.digital('button')?.output, devices.digital('lamp')?.output]).toEqual([false, true]);
    Atomics.store(levels, 1, 1);
    expect(devices.digital('button')?.read()).toBe(1);
    devices.digital('lamp')?.write(1);
    expect([Atomics.load(levels, 2), writes]).toEqual([1, [['lamp', 1]]]);
  });
});
