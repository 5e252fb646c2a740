import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../lib/runTool.js';
import { InputError } from '../../lib/OsmoseError.js';
import { diskPartitions, sectorBytes, type DiskPartition } from './diskLayout.js';

interface SfdiskTable {
  readonly partitiontable: { readonly label: string; readonly partitions: readonly { readonly start: number; readonly size: number; readonly name?: string }[] };
}

/** Where each partition of a disk image starts, in bytes, by its role. */
export async function findPartitions(image: string): Promise<Record<DiskPartition, { offset: number; bytes: number }>> {
  let table: SfdiskTable;
  try {
    table = JSON.parse(await runTool('sfdisk', ['--json', image])) as SfdiskTable;
  } catch (cause) {
    throw new InputError('image.no-partition-table', `${image} has no partition table sfdisk can read`, { hint: 'make the image with osmose image BOARD', data: { image }, cause });
  }
  const found: Partial<Record<DiskPartition, { offset: number; bytes: number }>> = {};
  for (const role of Object.keys(diskPartitions) as DiskPartition[]) {
    const entry = table.partitiontable.partitions.find((p) => p.name === diskPartitions[role]);
    if (entry === undefined) {
      throw new InputError('image.missing-partition', `${image} has no partition named ${diskPartitions[role]}`, { hint: 'an osmose image has osmose-boot, osmose-a, osmose-b, osmose-state and osmose-data (docs/image-format.md)', data: { image, partition: diskPartitions[role] } });
    }
    found[role] = { offset: entry.start * sectorBytes, bytes: entry.size * sectorBytes };
  }
  return found as Record<DiskPartition, { offset: number; bytes: number }>;
}

/**
 * Unpacks a board's disk image into a board directory, reading the filesystems without
 * mounting them (mtools for FAT, debugfs for ext4): board.json and trust/ from the boot
 * partition, the slots into a/ and b/, the state partition's files (state.json, the identity
 * key, the enclave's secret) at the top, and data/. The directory is assembled beside `dir`
 * and renamed into place.
 */
export async function unpackDiskImage(image: string, dir: string): Promise<void> {
  const partitions = await findPartitions(image);
  const staging = `${dir}.unpacking-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const part = (role: DiskPartition): string => join(staging, `.${role}`);
  for (const role of Object.keys(diskPartitions) as DiskPartition[]) {
    await mkdir(part(role), { recursive: true });
    const { offset } = partitions[role];
    if (role === 'boot') {
      await runTool('mcopy', ['-s', '-n', '-m', '-i', `${image}@@${offset}`, '::/', part(role)], { env: { TZ: 'UTC' } });
    } else {
      await runTool('debugfs', ['-R', `rdump / ${part(role)}`, `${image}?offset=${offset}`]);
      await rm(join(part(role), 'lost+found'), { recursive: true, force: true });
    }
  }
  const move = async (from: string, to: string): Promise<void> => rename(from, to);
  await move(join(part('boot'), 'board.json'), join(staging, 'board.json')).catch((cause: unknown) => {
    throw new InputError('image.no-board-file', `${image}'s boot partition holds no board.json`, { data: { image }, cause });
  });
  await move(join(part('boot'), 'trust'), join(staging, 'trust'));
  await move(part('a'), join(staging, 'a'));
  await move(part('b'), join(staging, 'b'));
  await move(part('data'), join(staging, 'data'));
  for (const entry of await readdir(part('state'))) await move(join(part('state'), entry), join(staging, entry));
  await rm(part('state'), { recursive: true });
  await rm(part('boot'), { recursive: true });
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
}
