import { InputError } from '../../lib/OsmoseError.js';

/**
 * What the machine says about its block devices and mounts, read once (readSystemView) or
 * made up by a test. Device numbers are 'major:minor', as mountinfo writes them.
 */
export interface SystemView {
  /** The text of /proc/self/mountinfo. */
  readonly mountinfo: string;
  /** The text of /proc/mounts. */
  readonly mounts: string;
  /** The text of /proc/swaps ('' when the system has none). */
  readonly swaps: string;
  /** The device of the filesystem holding `/` (stat('/').dev). */
  readonly rootDevice: string;
  /** The block device `path` names (its stat rdev), or undefined when it names none. */
  readonly blockDeviceOf: (path: string) => string | undefined;
  /**
   * The block devices `device` is made of, transitively: a partition's disk, the members of
   * a device-mapper (LVM, LUKS) or md device and theirs. Empty for a whole disk.
   */
  readonly devicesUnder: (device: string) => readonly string[];
  /** Bytes the block device holds, when known. */
  readonly deviceBytes: (device: string) => number | undefined;
}

/** What stat said of the destination path (following links, as open does). */
export type DestinationStat =
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly dev: number; readonly ino: number; readonly size: number }
  | { readonly kind: 'block'; readonly rdev: string }
  | { readonly kind: 'other'; readonly what: string };

export type Destination =
  | { readonly kind: 'file'; readonly path: string; readonly exists: boolean }
  | { readonly kind: 'block'; readonly path: string; readonly device: string; readonly bytes: number | undefined; readonly exclusive: boolean; readonly inUse: readonly string[] };

export interface DestinationQuestion {
  readonly to: string;
  readonly stat: DestinationStat;
  /** The image being flashed: where it is (so it is not flashed onto itself) and its length. */
  readonly image: { readonly path: string; readonly dev: number; readonly ino: number; readonly bytes: number };
  /** Needed for a block device only. */
  readonly system: () => SystemView;
  readonly force: boolean;
}

/**
 * Whether `osmose flash` may write `to`, and how: a regular file is created or rewritten; a
 * block device must not hold (or be part of) the disk the system runs from, even with
 * --force, and must not be in use (mounted, a mounted partition of it, swap) unless --force.
 * Devices are compared by number, so a link such as /dev/disk/by-id/… is caught as well as
 * the name mount used; mount sources are compared by their rdev too, since some filesystems
 * (btrfs) show an anonymous device number in mountinfo.
 */
export function checkDestination(question: DestinationQuestion): Destination {
  const { to, stat, image } = question;
  switch (stat.kind) {
    case 'missing':
      if (to.startsWith('/dev/')) {
        throw new InputError('flash.no-such-device', `${to} does not exist: there is no such device`, {
          hint: 'list the disks with lsblk; a card reader\'s disk appears when a card is in it (and osmose never creates files in /dev)',
          data: { to },
        });
      }
      return { kind: 'file', path: to, exists: false };
    case 'other':
      throw new InputError('flash.bad-destination', `${to} is a ${stat.what}; osmose flashes to a regular file or a block device`, {
        hint: 'give --to an image file to write, or a disk such as /dev/sdX or /dev/mmcblkN',
        data: { to, what: stat.what },
      });
    case 'file':
      if (stat.dev === image.dev && stat.ino === image.ino) {
        throw new InputError('flash.same-file', `${to} is the image ${image.path} itself`, { hint: 'give --to another file or a device', data: { to, image: image.path } });
      }
      return { kind: 'file', path: to, exists: true };
    case 'block':
      return checkBlockDevice(question, stat.rdev);
  }
}

function checkBlockDevice(question: DestinationQuestion, device: string): Destination {
  const { to, force } = question;
  const system = question.system();
  const under = (d: string): readonly string[] => system.devicesUnder(d);
  const uses = deviceUses(system);

  // The devices that hold `/`, and everything they are made of.
  const rootDevices = new Set([system.rootDevice, ...uses.filter((use) => use.where === '/').map((use) => use.device)]);
  const systemDevices = new Set([...rootDevices].flatMap((d) => [d, ...under(d)]));
  const hit = [device, ...under(device)].find((d) => systemDevices.has(d));
  if (hit !== undefined) {
    throw new InputError('flash.system-disk', `${to} is ${hit === device ? '' : 'on '}the disk this system runs from (it holds /); osmose never writes it, even with --force`, {
      hint: 'pick the card\'s disk: lsblk lists the disks, with / on this one; the card\'s is the one that appears when you put it in',
      data: { to, device, systemDevices: [...systemDevices] },
    });
  }

  // In use: the device itself, or anything made of it (a partition of this disk, LVM on it).
  const inUse = [...new Set(uses.filter((use) => use.device === device || under(use.device).includes(device)).map((use) => use.where))];
  if (inUse.length > 0 && !force) {
    const mountPoints = inUse.filter((where) => where.startsWith('/'));
    throw new InputError('flash.device-mounted', `${to} is in use: ${inUse.map((where) => (where.startsWith('/') ? `mounted on ${where}` : `used as ${where}`)).join(', ')}`, {
      hint: `${mountPoints.length > 0 ? `unmount it first (umount ${mountPoints.join(' ')})` : 'stop using it first (swapoff)'}, or pass --force to write it all the same`,
      data: { to, device, inUse },
    });
  }

  const bytes = system.deviceBytes(device);
  if (bytes === 0) {
    throw new InputError('flash.no-medium', `${to} holds no medium: an empty card reader, or a device with nothing behind it`, {
      hint: 'put the card in (lsblk then shows its size), or pick the disk that holds it',
      data: { to, device },
    });
  }
  if (bytes !== undefined && bytes < question.image.bytes) {
    throw new InputError('flash.device-too-small', `${to} holds ${bytes} bytes; the image ${question.image.path} needs ${question.image.bytes}`, {
      hint: 'use a larger card',
      data: { to, device, bytes, needed: question.image.bytes },
    });
  }
  // Linux refuses an exclusive open of a mounted block device: a second guard, dropped by --force.
  return { kind: 'block', path: to, device, bytes, exclusive: !force, inUse };
}

interface DeviceUse {
  readonly device: string;
  /** A mount point, or 'swap'. */
  readonly where: string;
}

/** Every block device the system uses, by number: from mountinfo, /proc/mounts and /proc/swaps. */
function deviceUses(system: SystemView): DeviceUse[] {
  const uses: DeviceUse[] = [];
  const source = (path: string, where: string): void => {
    if (!path.startsWith('/')) return;
    const device = system.blockDeviceOf(path);
    if (device !== undefined) uses.push({ device, where });
  };
  for (const line of system.mountinfo.split('\n')) {
    // id parent major:minor root mount-point options [optional…] - fstype source super-options
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    const device = fields[2];
    const where = fields[4];
    if (dash < 6 || device === undefined || where === undefined || !/^\d+:\d+$/.test(device)) continue;
    uses.push({ device, where: unescape(where) });
    source(unescape(fields[dash + 2] ?? ''), unescape(where));
  }
  for (const line of system.mounts.split('\n')) {
    const [from, where] = line.trim().split(' ');
    if (from !== undefined && where !== undefined) source(unescape(from), unescape(where));
  }
  for (const line of system.swaps.split('\n').slice(1)) {
    const [file] = line.trim().split(/\s+/);
    if (file !== undefined && file !== '') source(unescape(file), 'swap');
  }
  return uses;
}

/** The kernel writes a space, tab, newline or backslash in a path as an octal escape. */
function unescape(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
