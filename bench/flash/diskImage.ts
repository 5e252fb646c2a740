import { randomBytes } from 'node:crypto';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Bytes laid out as a board's disk image is (image/README.md): a partition table, a FAT boot
 * partition holding the bundled kernel-js and the board's files, slot A's filesystem with the
 * signed unikernel and its modules in extents, an empty slot B (its filesystem's metadata
 * only), and small state and data partitions; everything else zero. Random bytes stand for
 * the data, which neither dd nor osmose compresses. About a third of it holds data.
 */
export function diskImage(bytes: number): Buffer {
  const image = Buffer.alloc(bytes);
  const put = (at: number, length: number): void => {
    if (at + length <= bytes) randomBytes(length).copy(image, at);
  };
  const part = Math.floor((bytes - MiB) / 4 / MiB) * MiB;
  const [boot, slotA, slotB, state] = [MiB, MiB + part, MiB + 2 * part, MiB + 3 * part];
  put(0, 512); // the partition table
  // A FAT: boot sector, two FATs, then the files, written one after another.
  put(boot, 4 * KiB);
  put(boot + 16 * KiB, 64 * KiB);
  put(boot + 80 * KiB, 64 * KiB);
  put(boot + 160 * KiB, Math.floor(part * 0.55));
  // An ext4 filesystem: superblock and group descriptors, bitmaps, part of an inode table, extents.
  const ext4 = (at: number, fill: number): void => {
    put(at, 8 * KiB);
    put(at + 64 * KiB, 8 * KiB);
    put(at + 128 * KiB, 96 * KiB);
    for (let extent = at + MiB, left = Math.floor(part * fill); left > 0; extent += 640 * KiB) {
      put(extent, Math.min(left, 384 * KiB));
      left -= 384 * KiB;
    }
  };
  ext4(slotA, 0.45);
  ext4(slotB, 0);
  ext4(state, 0.1);
  return image;
}
