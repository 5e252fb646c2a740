import type { KernelDevice } from '../boot/KernelImage.js';
import type { DisplayCommand } from '../run/workerProtocol.js';
import type { KernelDisplay } from './KernelDevices.js';

/**
 * The worker's view of a board's displays: the size from each display device's settings, and
 * every drawing call posted to the driver on the main thread. Drawing is output only, so the
 * unikernel never waits on the driver; the host has already checked each rectangle against
 * the same size the driver was opened with.
 */
export function postedDisplays(devices: Readonly<Record<string, KernelDevice>>, post: (device: string, command: DisplayCommand) => void): (device: string) => KernelDisplay | undefined {
  const displays = new Map<string, KernelDisplay>();
  for (const [name, device] of Object.entries(devices)) {
    const { width, height } = device.settings;
    if (device.driver !== 'display' || typeof width !== 'number' || typeof height !== 'number') continue;
    displays.set(name, {
      width,
      height,
      fill: (rect, color) => post(name, { op: 'fill', rect, color }),
      blit: (rect, pixels) => post(name, { op: 'blit', rect, pixels }),
      flush: () => post(name, { op: 'flush' }),
    });
  }
  return (device) => displays.get(device);
}
