import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { diskPartitions, partitionTypes, sectorBytes, type DiskPartition } from '../../kernel-js/image/diskLayout.js';
import { InputError } from '../../lib/OsmoseError.js';
import { runTool } from '../../lib/runTool.js';
import type { GatewayAddress } from '../../kernel-js/agent/parseGatewayAddress.js';

const MiB = 1024 * 1024;

export interface DiskImageInput {
  /** The board's directory (writeBoardDirectory): board.json, trust/, a/ and an empty b/. */
  readonly boardDir: string;
  readonly board: string;
  /** The bundled shim (image/bundleShim.ts). */
  readonly shim: string;
  /** The board's identity key, PKCS#8 PEM. */
  readonly identityPem: string;
  /** The board's TLS certificate for that key, from the building CA (boardCredentials). */
  readonly identityCertPem: string;
  /** The building CA's certificate: the one certificate the board trusts for its gateway. */
  readonly caPem: string;
  /** Where the board dials its gateway; no gateway.json when absent. */
  readonly gateway?: GatewayAddress | undefined;
  /** Every timestamp in the image, in seconds since the epoch (the build's commit time). */
  readonly epoch: number;
  readonly out: string;
}

export interface DiskImagePartition {
  readonly name: string;
  readonly role: DiskPartition;
  readonly filesystem: 'vfat' | 'ext4';
  readonly offset: number;
  readonly bytes: number;
  readonly uuid: string;
}

export interface DiskImage {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly partitions: readonly DiskImagePartition[];
}

/**
 * Writes a board's raw disk image: a GPT with five partitions (docs/image-format.md) whose
 * filesystems are made without mounting — FAT with mkfs.vfat and mtools, ext4 with
 * `mke2fs -d` straight into the image at its offset — from a staging tree whose every time is
 * `epoch`. Every identifier (disk and partition GUIDs, volume ids, ext4 UUIDs and hash seeds)
 * is derived from the board's id, so the same inputs give the same bytes.
 */
export async function writeDiskImage(input: DiskImageInput): Promise<DiskImage> {
  const staging = await mkdtemp(join(tmpdir(), 'osmose-image-'));
  try {
    const trees = await stage(input, staging);
    const slotBytes = Math.max(8 * MiB, roundUp(2 * (await treeBytes(trees.a)) + 2 * MiB, MiB));
    const sizes: Record<DiskPartition, number> = { boot: 16 * MiB, a: slotBytes, b: slotBytes, state: 4 * MiB, data: 16 * MiB };
    if ((await treeBytes(trees.boot)) > 12 * MiB) throw new InputError('image.too-large', 'the boot partition\'s files pass 12 MiB', { data: { board: input.board } });

    let offset = MiB;
    const partitions: DiskImagePartition[] = (Object.keys(diskPartitions) as DiskPartition[]).map((role) => {
      const partition: DiskImagePartition = { name: diskPartitions[role], role, filesystem: role === 'boot' ? 'vfat' : 'ext4', offset, bytes: sizes[role], uuid: derivedUuid(input.board, role) };
      offset += sizes[role];
      return partition;
    });
    // The backup GPT takes the last 33 sectors; a spare MiB keeps the end aligned.
    const bytes = offset + MiB;
    await rm(input.out, { force: true });
    await writeFile(input.out, new Uint8Array(0));
    await truncate(input.out, bytes);
    await runTool('sfdisk', ['--no-reread', '--no-tell-kernel', '--quiet', '--wipe', 'never', input.out], { input: sfdiskScript(input.board, partitions) });

    const env = { E2FSPROGS_FAKE_TIME: String(input.epoch), TZ: 'UTC' };
    for (const partition of partitions) {
      const tree = trees[partition.role];
      if (partition.filesystem === 'vfat') await writeFat(input.out, partition, tree, staging, env);
      else await writeExt4(input.out, partition, tree, input.epoch, env);
    }
    return { file: input.out, bytes, sha256: await sha256File(input.out), partitions };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The files of each partition, staged with every time set to the epoch. */
async function stage(input: DiskImageInput, staging: string): Promise<Record<DiskPartition, string>> {
  const trees = Object.fromEntries((Object.keys(diskPartitions) as DiskPartition[]).map((role) => [role, join(staging, role)])) as Record<DiskPartition, string>;
  for (const tree of Object.values(trees)) await mkdir(tree);
  await cp(input.shim, join(trees.boot, 'boot.mjs'));
  await cp(join(input.boardDir, 'board.json'), join(trees.boot, 'board.json'));
  await cp(join(input.boardDir, 'trust'), join(trees.boot, 'trust'), { recursive: true });
  await cp(join(input.boardDir, 'a'), trees.a, { recursive: true });
  await cp(join(input.boardDir, 'b'), trees.b, { recursive: true });
  // A new file in a fresh folder: the mode is 0600 whatever the umask.
  await writeFile(join(trees.state, 'identity.pem'), input.identityPem, { mode: 0o600 });
  // Certificates and the gateway's address are public: 0644, set after writing so that the
  // umask of whoever makes the image cannot change its bytes.
  const publicFiles: [string, string][] = [['identity.crt', input.identityCertPem], ['building-ca.crt', input.caPem]];
  if (input.gateway !== undefined) publicFiles.push(['gateway.json', `${JSON.stringify({ host: input.gateway.host, port: input.gateway.port })}\n`]);
  for (const [name, text] of publicFiles) {
    await writeFile(join(trees.state, name), text);
    await chmod(join(trees.state, name), 0o644);
  }
  for (const tree of Object.values(trees)) await setTimes(tree, input.epoch);
  return trees;
}

/** Sets every file's and directory's times, deepest first (writing a child touches its directory). */
async function setTimes(tree: string, epoch: number): Promise<void> {
  const paths = await allPaths(tree);
  for (const path of [...paths].reverse()) await utimes(path, epoch, epoch);
}

async function allPaths(tree: string): Promise<string[]> {
  const entries = await readdir(tree, { recursive: true });
  return [tree, ...entries.sort().map((entry) => join(tree, entry))];
}

async function treeBytes(tree: string): Promise<number> {
  let total = 0;
  for (const path of await allPaths(tree)) {
    const info = await stat(path);
    if (info.isFile()) total += info.size;
  }
  return total;
}

function sfdiskScript(board: string, partitions: readonly DiskImagePartition[]): string {
  return [
    'label: gpt',
    `label-id: ${derivedUuid(board, 'disk')}`,
    'unit: sectors',
    'first-lba: 2048',
    ...partitions.map((p) => `start=${p.offset / sectorBytes}, size=${p.bytes / sectorBytes}, type=${p.filesystem === 'vfat' ? partitionTypes.fat : partitionTypes.linux}, uuid=${p.uuid}, name="${p.name}"`),
    '',
  ].join('\n');
}

/** FAT is made in a file of its own (mkfs.vfat cannot write at an offset) and copied in. */
async function writeFat(image: string, partition: DiskImagePartition, tree: string, staging: string, env: NodeJS.ProcessEnv): Promise<void> {
  const fat = join(staging, `${partition.role}.fat`);
  const volumeId = partition.uuid.replaceAll('-', '').slice(0, 8);
  await runTool('mkfs.vfat', ['--invariant', '-i', volumeId, '-n', 'OSMOSE', '-C', fat, String(partition.bytes / 1024)], { env });
  const entries = (await readdir(tree)).sort().map((entry) => join(tree, entry));
  await runTool('mcopy', ['-s', '-m', '-i', fat, ...entries, '::/'], { env });
  await pipeline(createReadStream(fat), createWriteStream(image, { flags: 'r+', start: partition.offset }));
}

/**
 * ext4 is made in place with `mke2fs -d`; it copies each file's ctime, which no one can set,
 * so debugfs then sets every inode's times to the epoch.
 */
async function writeExt4(image: string, partition: DiskImagePartition, tree: string, epoch: number, env: NodeJS.ProcessEnv): Promise<void> {
  await runTool('mke2fs', [
    '-q', '-F', '-t', 'ext4', '-d', tree, '-L', partition.name.slice(0, 16), '-U', partition.uuid,
    '-E', `offset=${partition.offset},hash_seed=${partition.uuid},root_owner=0:0,nodiscard`,
    image, `${partition.bytes / 1024}k`,
  ], { env });
  const commands = (await allPaths(tree)).flatMap((path) => {
    const inside = `/${relative(tree, path).split(sep).join('/')}`.replace(/^\/$/, '/');
    return ['ctime', 'atime', 'mtime', 'crtime'].map((field) => `sif "${inside}" ${field} @${epoch}`);
  });
  await runTool('debugfs', ['-w', '-f', '-', `${image}?offset=${partition.offset}`], { env, input: `${commands.join('\n')}\n` });
}

/** A stable UUID for a board's disk or partition (the version and variant bits of a v4). */
export function derivedUuid(board: string, what: string): string {
  const hex = createHash('sha256').update(`osmose disk image\0${board}\0${what}`).digest('hex').slice(0, 32).split('');
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
