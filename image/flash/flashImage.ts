import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError } from '../../lib/OsmoseError.js';
import { blockMapPath, mappedBytes, rangeSpan, type BlockMap } from './BlockMap.js';
import { checkDestination, type Destination, type DestinationStat, type SystemView } from './checkDestination.js';
import { deviceNumber } from './deviceNumber.js';
import { openFlashTarget, type FlashTarget } from './openFlashTarget.js';
import { readBlockMap } from './readBlockMap.js';
import { chunkBytes, readChunks, type ReadAt, type Span } from './readChunks.js';
import { readSystemView } from './readSystemView.js';

export interface FlashOptions {
  /** The image file; its block map is `IMAGE.bmap.json` beside it unless `map` says otherwise. */
  readonly image: string;
  /** A regular file (created or rewritten) or a block device. */
  readonly to: string;
  /** The raw Ed25519 public key (hex) the block map must be signed by: keyval.public of the building's keys/targets.json. */
  readonly publicKey: string;
  readonly map?: string;
  /** Write a device even while it is in use; never the disk the system runs from. */
  readonly force?: boolean;
  readonly onProgress?: (progress: FlashProgress) => void;
  /** Opens the checked destination; a test wraps the real one to play a failing card. */
  readonly openTarget?: (destination: Destination, imageBytes: number) => Promise<FlashTarget>;
  /** The mounts and disks; read from /proc and /sys, when the destination is a block device, unless given. */
  readonly system?: () => SystemView;
}

export interface FlashProgress {
  /** Checking the image against its map, writing the mapped ranges, reading them back. */
  readonly phase: 'check' | 'write' | 'verify';
  readonly done: number;
  readonly total: number;
}

export interface FlashReport {
  readonly image: string;
  readonly to: string;
  readonly board: string;
  /** The image's length. */
  readonly bytes: number;
  /** Bytes written: the mapped chunks that differed from what the destination held. */
  readonly written: number;
  /** Mapped bytes the destination already held, left alone. */
  readonly skipped: number;
  /** Mapped bytes read back after writing and found to match their signed digests: all of them. */
  readonly verified: number;
  readonly seconds: number;
}

/**
 * Flashes a signed image to a file or a block device, the way bmaptool does: the block map
 * must be signed by the building's targets key, the image must have the length and SHA-256
 * the map signs (checked before anything is written), only mapped ranges are written, a chunk
 * the destination already holds is skipped, and every mapped range is read back afterwards
 * and checked against its signed digest. The destination is refused when it is, or is on,
 * the disk the system runs from, or (unless `force`) when it is in use.
 */
export async function flashImage(options: FlashOptions): Promise<FlashReport> {
  const started = performance.now();
  const image = resolve(options.image);
  const to = resolve(options.to);
  const imageStat = await stat(image).catch((cause: unknown) => {
    throw new InputError('flash.no-image', `the image ${image} does not exist or cannot be read`, { hint: 'make one with `osmose image BOARD --out FILE`', data: { image }, cause });
  });
  if (!imageStat.isFile()) throw new InputError('flash.no-image', `the image ${image} is not a regular file`, { hint: 'give the image file that `osmose image` wrote', data: { image } });
  const map = await readBlockMap(resolve(options.map ?? blockMapPath(image)), options.publicKey);
  if (imageStat.size !== map.image.bytes) throw lengthDiffers(image, imageStat.size, map.image.bytes);

  const destination = checkDestination({
    to,
    stat: await statDestination(to),
    image: { path: image, dev: imageStat.dev, ino: imageStat.ino, bytes: map.image.bytes },
    system: options.system ?? readSystemView,
    force: options.force === true,
  });

  const progress = options.onProgress ?? (() => undefined);
  const source = await open(image, 'r');
  try {
    await checkImage(source, image, map, progress);
    const target = await (options.openTarget ?? openFlashTarget)(destination, map.image.bytes);
    try {
      const spans = map.ranges.map((range) => rangeSpan(map, range));
      const { written, skipped } = await writeRanges(reader(source), target, spans, image, map, progress);
      await target.sync();
      const verified = await verifyRanges(target.readBack, spans, map, to, progress);
      return { image, to, board: map.board, bytes: map.image.bytes, written, skipped, verified, seconds: (performance.now() - started) / 1000 };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/**
 * The whole image against the map, before a byte is written: each range against its digest,
 * every other block all zeros. Together that is exactly the bytes whose SHA-256 the map signs
 * (image.sha256), at the cost of hashing only the data; the zeros are compared, not hashed.
 */
async function checkImage(source: FileHandle, image: string, map: BlockMap, progress: (p: FlashProgress) => void): Promise<void> {
  const total = map.image.bytes;
  const spans = map.ranges.map((range) => rangeSpan(map, range));
  const zero = Buffer.alloc(chunkBytes);
  let index = 0;
  let hash = createHash('sha256');
  for await (const { position, end, bytes } of readChunks(reader(source), [{ start: 0, end: total }])) {
    if (position + bytes.length < end) throw lengthDiffers(image, position + bytes.length, total);
    for (let at = position; at < end; ) {
      const span = spans[index];
      if (span === undefined || at < span.start) {
        const stop = Math.min(end, span?.start ?? end);
        if (!bytes.subarray(at - position, stop - position).equals(zero.subarray(0, stop - at))) {
          const first = Math.floor((at + bytes.subarray(at - position, stop - position).findIndex((byte) => byte !== 0)) / map.blockSize);
          throw notSigned(image, map, `block ${first} holds data where the map says it is empty`);
        }
        at = stop;
        continue;
      }
      const stop = Math.min(end, span.end);
      hash.update(bytes.subarray(at - position, stop - position));
      at = stop;
      if (stop < span.end) continue;
      const range = map.ranges[index];
      if (hash.digest('hex') !== range?.sha256) throw notSigned(image, map, `blocks ${range?.first}–${range?.last} differ from their signed digest`);
      hash = createHash('sha256');
      index++;
    }
    progress({ phase: 'check', done: end, total });
  }
}

function notSigned(image: string, map: BlockMap, what: string): InputError {
  return new InputError('flash.image-digest', `the image ${image} is not the one its block map signs (SHA-256 ${map.image.sha256.slice(0, 12)}…): ${what}; it was changed or damaged after it was made`, {
    hint: 'copy the image and its .bmap.json again, or make the image again with `osmose image BOARD --out FILE`',
    data: { image, expected: map.image.sha256, problem: what },
  });
}

/** Writes each mapped chunk the destination does not already hold. */
async function writeRanges(
  read: ReadAt,
  target: FlashTarget,
  spans: readonly Span[],
  image: string,
  map: BlockMap,
  progress: (p: FlashProgress) => void,
): Promise<{ written: number; skipped: number }> {
  const total = mappedBytes(map);
  let written = 0;
  let skipped = 0;
  progress({ phase: 'write', done: 0, total });
  // What the destination holds, read a chunk ahead in step with the image (the same cuts);
  // past what it holds, nothing is read and the chunk is written.
  const comparable = target.comparable;
  const readHeld: ReadAt = (buffer, position) => (position >= comparable ? Promise.resolve(0) : target.read(buffer.subarray(0, Math.min(buffer.length, comparable - position)), position));
  const held = readChunks(readHeld, spans);
  try {
    for await (const { position, end, bytes } of readChunks(read, spans)) {
      // The image was checked whole a moment ago; one that shrinks since is refused all the same.
      if (position + bytes.length < end) throw lengthDiffers(image, position + bytes.length, map.image.bytes);
      const there = await held.next();
      if (there.done !== true && there.value.bytes.equals(bytes)) {
        skipped += bytes.length;
      } else {
        await target.write(bytes, position);
        written += bytes.length;
      }
      progress({ phase: 'write', done: written + skipped, total });
    }
  } finally {
    await held.return();
  }
  return { written, skipped };
}

/** Reads every mapped range back from the destination and checks it against its signed digest. */
async function verifyRanges(readBack: ReadAt, spans: readonly Span[], map: BlockMap, to: string, progress: (p: FlashProgress) => void): Promise<number> {
  const total = mappedBytes(map);
  let verified = 0;
  let index = 0;
  let hash: Hash = createHash('sha256');
  progress({ phase: 'verify', done: 0, total });
  for await (const { position, end, bytes } of readChunks(readBack, spans)) {
    const range = map.ranges[index];
    const span = spans[index];
    if (range === undefined || span === undefined) break;
    if (position + bytes.length < end) throw readBackFailed(to, map, index, `it ended at byte ${position + bytes.length}`);
    hash.update(bytes);
    verified += bytes.length;
    progress({ phase: 'verify', done: verified, total });
    if (end < span.end) continue;
    if (hash.digest('hex') !== range.sha256) throw readBackFailed(to, map, index, 'they differ from what was written');
    hash = createHash('sha256');
    index++;
  }
  return verified;
}

function readBackFailed(to: string, map: BlockMap, index: number, what: string): InputError {
  const range = map.ranges[index];
  const span = range === undefined ? { start: 0, end: 0 } : rangeSpan(map, range);
  return new InputError('flash.verify-failed', `reading ${to} back after writing, blocks ${range?.first}–${range?.last} (bytes ${span.start}–${span.end - 1}) are not the image's: ${what}`, {
    hint: 'the card or disk is failing, or holds less than it claims (a fake-capacity card): flash another one; for a file, check the disk that holds it',
    data: { to, range: index, first: range?.first, last: range?.last, start: span.start, end: span.end },
  });
}

function lengthDiffers(image: string, bytes: number, expected: number): InputError {
  const shorter = bytes < expected;
  return new InputError(
    shorter ? 'flash.image-truncated' : 'flash.image-length',
    `the image ${image} is ${bytes} bytes but its block map signs ${expected}: it is ${shorter ? 'truncated (a copy that did not finish?)' : 'longer than what was signed'}`,
    { hint: 'copy the image and its .bmap.json again, or make the image again with `osmose image BOARD --out FILE`', data: { image, bytes, expected } },
  );
}

async function statDestination(path: string): Promise<DestinationStat> {
  let stats;
  try {
    stats = await stat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new InputError('flash.bad-destination', `cannot look at ${path}: ${(error as Error).message}`, { hint: 'give --to a file or a block device you may write', data: { to: path }, cause: error });
  }
  if (stats.isFile()) return { kind: 'file', dev: Number(stats.dev), ino: Number(stats.ino), size: Number(stats.size) };
  if (stats.isBlockDevice()) return { kind: 'block', rdev: deviceNumber(stats.rdev) };
  const what = stats.isDirectory() ? 'folder' : stats.isCharacterDevice() ? 'character device' : stats.isFIFO() ? 'named pipe (it cannot be read back)' : stats.isSocket() ? 'socket' : 'special file';
  return { kind: 'other', what };
}

function reader(handle: FileHandle): ReadAt {
  return async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
}
