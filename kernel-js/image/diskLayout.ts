/**
 * The partitions of a board's disk image (docs/image-format.md), by GPT partition name. The
 * image writer (image/) lays them out; the shim finds them by name, never by number.
 */
export const diskPartitions = {
  /** FAT: the bundled shim (boot.mjs), board.json and the trust root. */
  boot: 'osmose-boot',
  /** ext4: slot A, the signed unikernel the image was made with. */
  a: 'osmose-a',
  /** ext4: slot B, empty until an update installs into it. */
  b: 'osmose-b',
  /** ext4: state.json, the board's identity key and the enclave's device secret. */
  state: 'osmose-state',
  /** ext4: what the board's apps keep (sealed enclave records). */
  data: 'osmose-data',
} as const;

export type DiskPartition = keyof typeof diskPartitions;

/** GPT partition type GUIDs: Microsoft basic data (FAT) and Linux filesystem data. */
export const partitionTypes = {
  fat: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

export const sectorBytes = 512;
