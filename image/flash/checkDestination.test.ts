import { describe, expect, it } from 'vitest';
import { checkDestination, type Destination, type DestinationStat, type SystemView } from './checkDestination.js';

// A laptop as /proc and /sys would show it: / on sda2, /boot/efi on sda1; a swap partition on
// sdb2; a card in a reader (sdc) with its first partition automounted; a second card (sdd)
// untouched; a USB disk (sde) whose btrfs partition mountinfo shows under an anonymous device
// number; and an LVM volume on sdf1, mounted.
const mountinfo = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw',
  '30 27 8:1 / /boot/efi rw,relatime shared:5 - vfat /dev/sda1 rw',
  '41 27 8:33 / /media/ana/BOOT\\040CARD rw,nosuid,nodev shared:60 - vfat /dev/sdc1 rw',
  '42 27 0:45 / /media/ana/backup rw,relatime shared:61 - btrfs /dev/sde1 rw',
  '43 27 253:0 / /srv rw,relatime shared:62 - ext4 /dev/mapper/vg-srv rw',
  '',
].join('\n');
const mounts = ['proc /proc proc rw 0 0', '/dev/sda2 / ext4 rw 0 0', '/dev/sda1 /boot/efi vfat rw 0 0', '/dev/sdc1 /media/ana/BOOT\\040CARD vfat rw 0 0', '/dev/sde1 /media/ana/backup btrfs rw 0 0', ''].join('\n');
const swaps = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sdb2                               partition\t2097148\t\t0\t\t-2\n';

const devices: Record<string, string> = {
  '/dev/sda': '8:0', '/dev/sda1': '8:1', '/dev/sda2': '8:2', '/dev/sda3': '8:3',
  '/dev/sdb': '8:16', '/dev/sdb2': '8:18',
  '/dev/sdc': '8:32', '/dev/sdc1': '8:33', '/dev/sdc2': '8:34',
  '/dev/sdd': '8:48', '/dev/sdd1': '8:49',
  '/dev/sde': '8:64', '/dev/sde1': '8:65',
  '/dev/sdf': '8:80', '/dev/sdf1': '8:81', '/dev/mapper/vg-srv': '253:0',
};
const under: Record<string, string[]> = {
  '8:1': ['8:0'], '8:2': ['8:0'], '8:3': ['8:0'], '8:18': ['8:16'], '8:33': ['8:32'], '8:34': ['8:32'], '8:49': ['8:48'], '8:65': ['8:64'], '8:81': ['8:80'],
  '253:0': ['8:81', '8:80'],
};

function laptop(overrides: Partial<SystemView> = {}): SystemView {
  return {
    mountinfo,
    mounts,
    swaps,
    rootDevice: '8:2',
    blockDeviceOf: (path) => devices[path],
    devicesUnder: (device) => under[device] ?? [],
    deviceBytes: () => 32e9,
    ...overrides,
  };
}

const image = { path: '/home/ana/board.img', dev: 2050, ino: 77, bytes: 64 * 2 ** 20 };

function check(to: string, options: { force?: boolean; system?: SystemView; stat?: DestinationStat } = {}): Destination {
  const rdev = devices[to];
  const stat: DestinationStat = options.stat ?? (rdev === undefined ? { kind: 'missing' } : { kind: 'block', rdev });
  return checkDestination({ to, stat, image, system: () => options.system ?? laptop(), force: options.force === true });
}

function refusal(to: string, options: Parameters<typeof check>[1] = {}): { code: string; message: string; hint: string | undefined } {
  try {
    check(to, options);
  } catch (error) {
    const { code, message, hint } = error as { code: string; message: string; hint: string | undefined };
    return { code, message, hint };
  }
  throw new Error(`${to} was accepted`);
}

describe('checkDestination', () => {
  it('accepts an idle card, exclusively', () => {
    expect(check('/dev/sdd')).toEqual({ kind: 'block', path: '/dev/sdd', device: '8:48', bytes: 32e9, exclusive: true, inUse: [] });
    expect(check('/dev/sdd1')).toMatchObject({ kind: 'block', device: '8:49' });
  });

  it('refuses the disk holding /, its partitions, even unmounted ones, with or without --force', () => {
    for (const to of ['/dev/sda', '/dev/sda1', '/dev/sda2', '/dev/sda3']) {
      for (const force of [false, true]) expect(refusal(to, { force }).code).toBe('flash.system-disk');
    }
    const { message, hint } = refusal('/dev/sda');
    expect(message).toBe('/dev/sda is the disk this system runs from (it holds /); osmose never writes it, even with --force');
    expect(hint).toMatch(/lsblk/);
    expect(refusal('/dev/sda3').message).toMatch(/^\/dev\/sda3 is on the disk this system runs from/);
  });

  it('finds the system disk from stat("/") alone, and through device-mapper', () => {
    const noRootLine = laptop({ mountinfo: mountinfo.split('\n').filter((line) => !line.includes(' / / ')).join('\n'), mounts: '' });
    expect(refusal('/dev/sda', { system: noRootLine }).code).toBe('flash.system-disk');
    // / on LVM (dm-1) over a LUKS volume (dm-2) over nvme0n1p3: the NVMe disk is the system's.
    const lvm = laptop({
      rootDevice: '253:1',
      mountinfo: '27 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw\n',
      mounts: '',
      blockDeviceOf: (path) => ({ '/dev/nvme0n1': '259:0', '/dev/mapper/vg-root': '253:1' })[path] ?? devices[path],
      devicesUnder: (device) => ({ '253:1': ['253:2', '259:3', '259:0'], '253:2': ['259:3', '259:0'], '259:3': ['259:0'] })[device] ?? [],
    });
    expect(refusal('/dev/nvme0n1', { system: lvm, stat: { kind: 'block', rdev: '259:0' } }).code).toBe('flash.system-disk');
    expect(check('/dev/sdd', { system: lvm })).toMatchObject({ kind: 'block' });
  });

  it('refuses a mounted partition, and a disk any of whose partitions is mounted, naming the mount point', () => {
    const disk = refusal('/dev/sdc');
    expect(disk).toEqual({
      code: 'flash.device-mounted',
      message: '/dev/sdc is in use: mounted on /media/ana/BOOT CARD',
      hint: 'unmount it first (umount /media/ana/BOOT CARD), or pass --force to write it all the same',
    });
    expect(refusal('/dev/sdc1').code).toBe('flash.device-mounted');
    // sdc2 is not mounted: writing it leaves sdc1 alone.
    expect(check('/dev/sdc2')).toMatchObject({ kind: 'block', device: '8:34' });
  });

  it('matches a mount by its source\'s device number when mountinfo shows an anonymous one (btrfs)', () => {
    expect(refusal('/dev/sde').message).toBe('/dev/sde is in use: mounted on /media/ana/backup');
  });

  it('refuses the disk under a mounted LVM volume, and a swap partition\'s disk', () => {
    expect(refusal('/dev/sdf').message).toBe('/dev/sdf is in use: mounted on /srv');
    expect(refusal('/dev/sdf1').code).toBe('flash.device-mounted');
    const swap = refusal('/dev/sdb');
    expect(swap.message).toBe('/dev/sdb is in use: used as swap');
    expect(swap.hint).toMatch(/swapoff/);
  });

  it('writes a device in use with --force, not exclusively', () => {
    expect(check('/dev/sdc', { force: true })).toEqual({ kind: 'block', path: '/dev/sdc', device: '8:32', bytes: 32e9, exclusive: false, inUse: ['/media/ana/BOOT CARD'] });
  });

  it('matches by device number, whatever the name: a /dev/disk/by-id link to the system disk', () => {
    expect(refusal('/dev/disk/by-id/ata-SSD', { stat: { kind: 'block', rdev: '8:0' } }).code).toBe('flash.system-disk');
  });

  it('refuses a device too small for the image, and a reader with no card in it', () => {
    expect(refusal('/dev/sdd', { system: laptop({ deviceBytes: () => 32 * 2 ** 20 }) })).toMatchObject({ code: 'flash.device-too-small', message: `/dev/sdd holds 33554432 bytes; the image /home/ana/board.img needs ${64 * 2 ** 20}` });
    expect(refusal('/dev/sdd', { system: laptop({ deviceBytes: () => 0 }) }).code).toBe('flash.no-medium');
  });

  it('creates a file, rewrites one, and refuses the image itself, a folder, or a missing device', () => {
    expect(check('/home/ana/card.img')).toEqual({ kind: 'file', path: '/home/ana/card.img', exists: false });
    expect(check('/home/ana/card.img', { stat: { kind: 'file', dev: 2050, ino: 78, size: 10 } })).toEqual({ kind: 'file', path: '/home/ana/card.img', exists: true });
    expect(refusal('/home/ana/copy.img', { stat: { kind: 'file', dev: 2050, ino: 77, size: image.bytes } }).code).toBe('flash.same-file');
    expect(refusal('/home/ana', { stat: { kind: 'other', what: 'folder' } }).code).toBe('flash.bad-destination');
    expect(refusal('/dev/sdz').code).toBe('flash.no-such-device');
  });

  it('reads the system only for a block device', () => {
    let asked = false;
    checkDestination({ to: '/tmp/x.img', stat: { kind: 'missing' }, image, system: () => ((asked = true), laptop()), force: false });
    expect(asked).toBe(false);
  });
});
