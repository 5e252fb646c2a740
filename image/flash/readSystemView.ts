import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SystemView } from './checkDestination.js';
import { deviceNumber } from './deviceNumber.js';

/**
 * The system's mounts and block devices as Linux shows them: /proc/self/mountinfo,
 * /proc/mounts and /proc/swaps; stat for device numbers; /sys/dev/block for which disk a
 * partition is on, what a device-mapper or md device is made of, and a device's size.
 */
export function readSystemView(): SystemView {
  return {
    mountinfo: readText('/proc/self/mountinfo'),
    mounts: readText('/proc/mounts'),
    swaps: readText('/proc/swaps'),
    rootDevice: deviceNumber(statSync('/', { bigint: true }).dev),
    blockDeviceOf: (path) => {
      try {
        const stats = statSync(path, { bigint: true });
        return stats.isBlockDevice() ? deviceNumber(stats.rdev) : undefined;
      } catch {
        return undefined;
      }
    },
    devicesUnder: (device) => [...under(device, new Set())],
    deviceBytes: (device) => {
      const text = readText(`/sys/dev/block/${device}/size`).trim();
      // sysfs counts 512-byte sectors whatever the device's own block size.
      return /^\d+$/.test(text) ? Number(text) * 512 : undefined;
    },
  };
}

function under(device: string, seen: Set<string>): Set<string> {
  let dir: string;
  try {
    dir = realpathSync(`/sys/dev/block/${device}`);
  } catch {
    return seen; // not a block device the kernel lists (an anonymous device: overlay, btrfs)
  }
  const add = (other: string): void => {
    if (other === '' || seen.has(other)) return;
    seen.add(other);
    under(other, seen);
  };
  // A partition's folder sits inside its disk's.
  if (existsSync(join(dir, 'partition'))) add(readText(join(dirname(dir), 'dev')).trim());
  let slaves: string[] = [];
  try {
    slaves = readdirSync(join(dir, 'slaves'));
  } catch {
    slaves = [];
  }
  for (const slave of slaves) add(readText(join(dir, 'slaves', slave, 'dev')).trim());
  return seen;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
