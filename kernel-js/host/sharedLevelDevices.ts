import type { KernelDevice } from '../boot/KernelImage.js';
import type { KernelDevices, KernelDigital } from './KernelDevices.js';

/**
 * The worker's view of a board's digital devices: one Int32 per device of the configuration
 * (in its key order) in memory shared with the main thread, where the drivers live. The main
 * thread stores each input's debounced level before it posts the edge, so `gpio.read` is
 * current without a round trip; a write is stored at once and `onWrite` carries it to the
 * output's driver.
 */
export function sharedLevelDevices(devices: Readonly<Record<string, KernelDevice>>, levels: Int32Array, onWrite: (device: string, level: number) => void): KernelDevices {
  const digitals = new Map<string, KernelDigital>();
  Object.entries(devices).forEach(([name, device], index) => {
    if (device.driver !== 'gpio-in' && device.driver !== 'gpio-out') return;
    digitals.set(name, {
      output: device.driver === 'gpio-out',
      read: () => Atomics.load(levels, index),
      write: (level) => {
        Atomics.store(levels, index, level);
        onWrite(name, level);
      },
    });
  });
  return { digital: (name) => digitals.get(name) };
}
