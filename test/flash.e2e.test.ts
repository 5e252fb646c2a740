import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '@tufjs/canonical-json';
import { loadTargetsKey, type SigningKey } from '../builder/build/signManifest.js';
import { tufPublicKey } from '../builder/init/tufPublicKey.js';
import { runCli } from '../cli/runCli.js';
import { registerFlashCommand } from '../image/commands/flashCommand.js';
import { blockMapPath, rangeSpan, type BlockMap, type SignedBlockMap } from '../image/flash/BlockMap.js';
import { flashImage, type FlashReport } from '../image/flash/flashImage.js';
import { makeBlockMap } from '../image/flash/makeBlockMap.js';
import { openFlashTarget, type FlashTarget } from '../image/flash/openFlashTarget.js';
import { readBlockMap } from '../image/flash/readBlockMap.js';
import { readTargetsKey } from '../image/flash/readTargetsKey.js';
import { writeBlockMap } from '../image/flash/writeBlockMap.js';
import { isOsmoseError } from '../lib/OsmoseError.js';

// osmose flash to files: what it writes, skips and reads back, and what it refuses. The
// refusals of devices (mounted, the system's disk) are tested on their decision with a made-up
// system in image/flash/checkDestination.test.ts: there are no spare disks here.

const KiB = 1024;
const MiB = 1024 * KiB;
const block = 4 * KiB;

let parent: string;
let root: string;
/** Where the images and the cards are: inside the building, where osmose runs. */
let work: string;
let signer: SigningKey;
let publicKey: string;
let image: Buffer;
let map: SignedBlockMap;

/**
 * An image shaped like a disk image, 12 MiB and a bit: a partition table's worth of data at
 * the start, a filesystem's extent, a run that crosses a 4 MiB boundary (where chunks are
 * cut), a stretch of every other block, long zero runs, and a last block only partly there.
 */
function makeImage(): Buffer {
  const bytes = Buffer.alloc(12 * MiB + 100);
  randomBytes(10_000).copy(bytes, 0);
  randomBytes(512 * KiB).copy(bytes, 1 * MiB);
  randomBytes(2 * MiB + 64 * KiB).copy(bytes, 3 * MiB - 64 * KiB);
  for (let i = 0; i < 64; i += 2) randomBytes(block).copy(bytes, 8 * MiB + i * block);
  bytes[bytes.length - 1] = 0x5a;
  return bytes;
}

async function writeImage(name: string, bytes: Buffer, keep: readonly { start: number; end: number }[] = []): Promise<{ file: string; map: SignedBlockMap }> {
  const file = join(work, name);
  await writeFile(file, bytes);
  return { file, map: (await writeBlockMap(file, 'meeting-1-door', signer, { keep })).map };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function osmose(args: readonly string[], options: { interactive?: boolean; cwd?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { cwd: options.cwd ?? work, stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: {}, interactive: options.interactive ?? false };
  const code = await runCli(args, io, [registerFlashCommand]);
  return { code, stdout, stderr };
}

async function flashJson(args: readonly string[]): Promise<FlashReport> {
  const run = await osmose([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as FlashReport;
}

async function refusal(args: readonly string[]): Promise<{ code: string; message: string; hint?: string }> {
  const run = await osmose([...args, '--json']);
  expect(run.code).toBe(1);
  return (JSON.parse(run.stdout) as { ok: false; error: { code: string; message: string; hint?: string } }).error;
}

function mapped(signed: BlockMap): number {
  return signed.ranges.reduce((sum, range) => sum + rangeSpan(signed, range).end - rangeSpan(signed, range).start, 0);
}

/** Every mapped range of the map is byte for byte the image's in `file`. */
async function expectMappedEqual(file: string, bytes: Buffer, signed: BlockMap): Promise<void> {
  const written = await readFile(file);
  for (const range of signed.ranges) {
    const { start, end } = rangeSpan(signed, range);
    expect(written.subarray(start, end).equals(bytes.subarray(start, end)), `blocks ${range.first}–${range.last}`).toBe(true);
  }
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-flash-'));
  root = join(parent, 'building');
  const io = { cwd: parent, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text), env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false };
  expect(await runCli(['init', root, '--template', 'empty'], io)).toBe(0);
  work = join(root, 'flashing');
  await mkdir(work);
  signer = await loadTargetsKey(root);
  publicKey = await readTargetsKey(root);
  image = makeImage();
  ({ map } = await writeImage('board.img', image));
}, 120_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('the block map', () => {
  it('maps the blocks that hold data, merged into ranges, each with its digest, signed by the targets key', async () => {
    const { signed } = map;
    expect(signed).toMatchObject({ format: 1, type: 'osmose-block-map', board: 'meeting-1-door', blockSize: 4096, image: { bytes: 12 * MiB + 100 } });
    expect(signed.image.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    const expected = [
      [0, 2],
      [256, 383],
      [752, 1279],
      ...Array.from({ length: 32 }, (_, i) => [2048 + 2 * i, 2048 + 2 * i]),
      [3072, 3072],
    ];
    expect(signed.ranges.map((r) => [r.first, r.last])).toEqual(expected);
    for (const range of signed.ranges) {
      const { start, end } = rangeSpan(signed, range);
      expect(range.sha256).toBe(createHash('sha256').update(image.subarray(start, end)).digest('hex'));
    }
    // The last range is the last block, cut at the image's end.
    expect(rangeSpan(signed, signed.ranges.at(-1) as BlockMap['ranges'][number])).toEqual({ start: 3072 * block, end: 12 * MiB + 100 });
    expect(map.signatures).toEqual([{ keyid: signer.keyid, sig: expect.stringMatching(/^[0-9a-f]{128}$/) as unknown }]);
    expect(await readBlockMap(blockMapPath(join(work, 'board.img')), publicKey)).toEqual(signed);
  });

  it('maps an empty image and an all-zero one to no ranges', async () => {
    const { map: empty } = await writeImage('empty.img', Buffer.alloc(0));
    const { map: zeros } = await writeImage('zeros.img', Buffer.alloc(3 * MiB + 5));
    expect(empty.signed.ranges).toEqual([]);
    expect(zeros.signed.ranges).toEqual([]);
    expect(zeros.signed.image.bytes).toBe(3 * MiB + 5);
  });

  it('maps zeros it is told to keep (metadata a filesystem expects as written), and flash writes them', async () => {
    const zeros = Buffer.alloc(3 * MiB);
    const { map: kept } = await writeImage('kept.img', zeros, [{ start: MiB + 100, end: MiB + 5000 }, { start: 2 * MiB, end: 2 * MiB + 1 }, { start: MiB + 4096, end: MiB + 8192 }]);
    const zeroDigest = (blocks: number): string => createHash('sha256').update(Buffer.alloc(blocks * block)).digest('hex');
    expect(kept.signed.ranges).toEqual([{ first: 256, last: 257, sha256: zeroDigest(2) }, { first: 512, last: 512, sha256: zeroDigest(1) }]);
    await writeFile(join(work, 'used-card.img'), Buffer.alloc(3 * MiB, 0xee));
    expect(await flashJson(['flash', 'kept.img', '--to', 'used-card.img'])).toMatchObject({ written: 3 * block, skipped: 0 });
    const card = await readFile(join(work, 'used-card.img'));
    expect(card.subarray(MiB, MiB + 2 * block).equals(Buffer.alloc(2 * block))).toBe(true);
    expect(card[MiB - 1]).toBe(0xee); // unmapped: left as it was
  });
});

describe('osmose flash IMAGE --to FILE', () => {
  it('writes only the mapped ranges to a new file, reads them back, and gives it the image\'s length', async () => {
    const report = await flashJson(['flash', 'board.img', '--to', 'out/../card.img']);
    const total = mapped(map.signed);
    expect(report).toMatchObject({ ok: true, image: join(work, 'board.img'), to: join(work, 'card.img'), board: 'meeting-1-door', bytes: image.length, written: total, skipped: 0, verified: total });
    expect(report.seconds).toBeGreaterThan(0);
    // Written where the image has data; the rest is holes, read as zeros: the same bytes.
    expect((await readFile(join(work, 'card.img'))).equals(image)).toBe(true);
  });

  it('skips every range when flashing the same image again', async () => {
    const report = await flashJson(['flash', 'board.img', '--to', 'card.img']);
    expect(report).toMatchObject({ written: 0, skipped: mapped(map.signed), verified: mapped(map.signed) });
  });

  it('rewrites only what changed in a new image', async () => {
    await copyFile(join(work, 'card.img'), join(work, 'card-2.img'));
    const next = Buffer.from(image);
    next[1 * MiB + 1000] = (next[1 * MiB + 1000] ?? 0) ^ 0xff; // one byte in the 512 KiB extent at 1 MiB
    randomBytes(4 * block).copy(next, 10 * MiB); // new data where there was none
    const { map: nextMap } = await writeImage('board-2.img', next);
    const report = await flashJson(['flash', 'board-2.img', '--to', 'card-2.img']);
    expect(report).toMatchObject({ written: 512 * KiB + 4 * block, skipped: mapped(nextMap.signed) - 512 * KiB - 4 * block, verified: mapped(nextMap.signed) });
    await expectMappedEqual(join(work, 'card-2.img'), next, nextMap.signed);
  });

  it('rewrites a destination that holds something else, and cuts a longer file to the image\'s length', async () => {
    await writeFile(join(work, 'old.img'), Buffer.alloc(20 * MiB, 0x33));
    const report = await flashJson(['flash', 'board.img', '--to', 'old.img']);
    expect(report).toMatchObject({ written: mapped(map.signed), skipped: 0 });
    await expectMappedEqual(join(work, 'old.img'), image, map.signed);
    expect((await readFile(join(work, 'old.img'))).length).toBe(image.length);
  });

  it('prints a summary, and a progress bar on stderr only on a terminal', async () => {
    const quiet = await osmose(['flash', 'board.img', '--to', 'card.img']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^flashed meeting-1-door's image to .*card\.img in [\d.]+ s: 12\.0 MiB image, 0\.0 MiB written, 2\.7 MiB already there, 9\.3 MiB of empty blocks left alone; 2\.7 MiB read back and verified\n$/);
    expect(quiet.stderr).toBe('');
    const shown = await osmose(['flash', 'board.img', '--to', 'card.img'], { interactive: true });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/verifying/);
  });

  it('is a usage error without --to, and refused outside a building', async () => {
    expect((await osmose(['flash', 'board.img'])).code).toBe(2);
    const both = await osmose(['flash', 'board.img', '--to', 'x.img', '--serial', '/dev/ttyUSB0']);
    expect(both).toMatchObject({ code: 2, stderr: 'error: give --to or --serial, not both\n' });
    const outside = await osmose(['flash', join(work, 'board.img'), '--to', join(work, 'x.img')], { cwd: tmpdir() });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/not in an osmose building/);
  });
});

describe('osmose flash refuses', () => {
  it('a truncated image, naming it, before writing anything', async () => {
    const { file } = await writeImage('short.img', image);
    await truncate(file, image.length - 4096);
    const error = await refusal(['flash', 'short.img', '--to', 'short-card.img']);
    expect(error.code).toBe('flash.image-truncated');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/is 12578916 bytes but its block map signs 12583012: it is truncated/);
    expect(error.hint).toMatch(/copy the image .* again/);
    expect(existsSync(join(work, 'short-card.img'))).toBe(false);
  });

  it('an image whose bytes differ from what its map signs', async () => {
    const { file } = await writeImage('changed.img', image);
    const changed = Buffer.from(image);
    changed[9 * MiB] = 1; // in a zero run, so no range's digest would notice
    await writeFile(file, changed);
    const error = await refusal(['flash', 'changed.img', '--to', 'changed-card.img']);
    expect(error.code).toBe('flash.image-digest');
    expect(error.message).toContain(file);
    expect(existsSync(join(work, 'changed-card.img'))).toBe(false);
  });

  it('an image without a block map', async () => {
    await writeFile(join(work, 'bare.img'), image);
    const error = await refusal(['flash', 'bare.img', '--to', 'bare-card.img']);
    expect(error.code).toBe('bmap.missing');
    expect(error.message).toContain(`${join(work, 'bare.img')}.bmap.json is missing`);
    expect(error.hint).toMatch(/osmose image BOARD --out FILE/);
  });

  it('a map that is unsigned, tampered with, signed by another key, or malformed', async () => {
    const { file } = await writeImage('tampered.img', image);
    const attempt = async (envelope: unknown): Promise<string> => {
      await writeFile(blockMapPath(file), typeof envelope === 'string' ? envelope : JSON.stringify(envelope));
      const error = await refusal(['flash', 'tampered.img', '--to', 'tampered-card.img']);
      expect(error.message).toContain(blockMapPath(file));
      return error.code;
    };
    const { signed } = map;
    expect(await attempt({ signed, signatures: [] })).toBe('bmap.unsigned');
    expect(await attempt({ signed })).toBe('bmap.unsigned');
    // A range dropped, so its blocks would never be written: the signature no longer matches.
    expect(await attempt({ ...map, signed: { ...signed, ranges: signed.ranges.slice(1) } })).toBe('bmap.bad-signature');
    expect(await attempt({ ...map, signed: { ...signed, board: 'another-board' } })).toBe('bmap.bad-signature');
    const { privateKey } = generateKeyPairSync('ed25519');
    const stranger = await makeBlockMap(file, 'meeting-1-door', { keyid: tufPublicKey(privateKey).keyid, key: privateKey });
    expect(await attempt(stranger)).toBe('bmap.bad-signature');
    // A stranger's signature under our key id is no better.
    expect(await attempt({ ...stranger, signatures: [{ ...stranger.signatures[0], keyid: signer.keyid }] })).toBe('bmap.bad-signature');
    expect(await attempt('{ "signed": ')).toBe('bmap.malformed');
    // Signed by the right key, yet wrong: overlapping ranges, and a range past the image's end.
    const signedBadly = (bad: unknown): SignedBlockMap => ({ signed: bad as BlockMap, signatures: [{ keyid: signer.keyid, sig: sign(null, Buffer.from(canonicalize(bad)), signer.key).toString('hex') }] });
    expect(await attempt(signedBadly({ ...signed, ranges: [signed.ranges[1], signed.ranges[0]] }))).toBe('bmap.malformed');
    expect(await attempt(signedBadly({ ...signed, ranges: [{ first: 3073, last: 3073, sha256: '0'.repeat(64) }] }))).toBe('bmap.malformed');
    expect(await attempt(signedBadly({ ...signed, blockSize: 512 }))).toBe('bmap.malformed');
    expect(existsSync(join(work, 'tampered-card.img'))).toBe(false);
  });

  it('the image as its own destination, a folder, and a device that does not exist', async () => {
    expect((await refusal(['flash', 'board.img', '--to', 'board.img'])).code).toBe('flash.same-file');
    expect((await refusal(['flash', 'board.img', '--to', '.'])).code).toBe('flash.bad-destination');
    expect((await refusal(['flash', 'board.img', '--to', '/dev/osmose-no-such-disk'])).code).toBe('flash.no-such-device');
    expect(existsSync('/dev/osmose-no-such-disk')).toBe(false);
  });
});

describe('reading back', () => {
  /** The real destination, with a write that does not stick as asked. */
  const failing = (damage: (data: Uint8Array, position: number) => { data: Uint8Array; position: number }) =>
    async (...args: Parameters<typeof openFlashTarget>): Promise<FlashTarget> => {
      const target = await openFlashTarget(...args);
      return {
        ...target,
        write: (data, position) => {
          const damaged = damage(data, position);
          return target.write(damaged.data, damaged.position);
        },
      };
    };

  it('catches a write that flipped a bit', async () => {
    let done = false;
    const flipOne = failing((data, position) => {
      if (done || position < 3 * MiB) return { data, position };
      done = true;
      const copy = Buffer.from(data);
      copy[1234] = (copy[1234] ?? 0) ^ 0x10;
      return { data: copy, position };
    });
    const to = join(work, 'flipped.img');
    const flashing = flashImage({ image: join(work, 'board.img'), to, publicKey, openTarget: flipOne });
    await expect(flashing).rejects.toMatchObject({ code: 'flash.verify-failed', data: { to, first: 752, last: 1279 } });
    await expect(flashing).rejects.toThrow(/reading .*flipped\.img back after writing, blocks 752–1279 .* are not the image's/);
    // Flashing again onto the damaged file mends the one chunk that differs.
    const mended = await flashImage({ image: join(work, 'board.img'), to, publicKey });
    expect(mended.written).toBe(1 * MiB);
  });

  it('catches a card that holds less than it claims (its writes wrap around)', async () => {
    const capacity = 4 * MiB;
    const wrapping = failing((data, position) => ({ data, position: position % capacity }));
    const error: unknown = await flashImage({ image: join(work, 'board.img'), to: join(work, 'fake-card.img'), publicKey, openTarget: wrapping }).catch((e: unknown) => e);
    expect(isOsmoseError(error) && error.code).toBe('flash.verify-failed');
    expect(isOsmoseError(error) && error.hint).toMatch(/holds less than it claims/);
  });

  it('is not fooled by a destination that reads back what it was asked to write but kept something else', async () => {
    // The comparison before writing and the check after read the destination separately.
    const lying = async (...args: Parameters<typeof openFlashTarget>): Promise<FlashTarget> => {
      const target = await openFlashTarget(...args);
      return { ...target, readBack: async (buffer, position) => {
        const n = await target.readBack(buffer, position);
        if (position === 0 && n > 0) buffer[0] = (buffer[0] ?? 0) ^ 1;
        return n;
      } };
    };
    await expect(flashImage({ image: join(work, 'board.img'), to: join(work, 'lying.img'), publicKey, openTarget: lying })).rejects.toMatchObject({ code: 'flash.verify-failed', data: { first: 0, last: 2 } });
  });
});
