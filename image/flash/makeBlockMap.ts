import { createHash, sign, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { canonicalize } from '@tufjs/canonical-json';
import type { SigningKey } from '../../builder/build/signManifest.js';
import { InputError } from '../../lib/OsmoseError.js';
import { blockSize, type BlockMap, type BlockRange, type SignedBlockMap } from './BlockMap.js';
import { readChunks, type Span } from './readChunks.js';

/**
 * The signed block map of `imageFile`, made for `board`: the image is read once, in chunks
 * (never whole in memory); a block is mapped unless all its bytes are zero, and neighbouring
 * mapped blocks are merged into ranges, as bmaptool does. Signed like a board manifest: the
 * canonical JSON of `signed`, Ed25519, by the targets key (TUF's envelope).
 *
 * `options.keep` lists byte spans to map even where they are zeros: metadata a filesystem
 * reads and expects as written (a FAT's free entries), which a flash must not leave holding
 * whatever the card held before.
 */
export async function makeBlockMap(imageFile: string, board: string, signer: SigningKey, options: { readonly keep?: readonly Span[] } = {}): Promise<SignedBlockMap> {
  if (board === '') throw new InputError('bmap.no-board', 'a block map names the board its image is for', { hint: 'pass the board id', data: { image: imageFile } });
  let handle: FileHandle;
  try {
    handle = await open(imageFile, 'r');
  } catch (cause) {
    throw new InputError('bmap.no-image', `cannot read the image ${imageFile} to map its blocks`, { hint: 'give the path of an image file', data: { image: imageFile }, cause });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InputError('bmap.not-a-file', `${imageFile} is not a regular file; a block map describes an image file`, { hint: 'give the path of an image file', data: { image: imageFile } });
    const scanned = await scanBlocks(handle, stats.size, imageFile, keptBlocks(options.keep ?? []));
    return signBlockMap({ format: 1, type: 'osmose-block-map', board, image: { bytes: stats.size, sha256: scanned.sha256 }, blockSize, ranges: scanned.ranges }, signer);
  } finally {
    await handle.close();
  }
}

function signBlockMap(map: BlockMap, signer: SigningKey): SignedBlockMap {
  const sig = sign(null, Buffer.from(canonicalize(map)), signer.key).toString('hex');
  return { signed: map, signatures: [{ keyid: signer.keyid, sig }] };
}

async function scanBlocks(handle: FileHandle, bytes: number, imageFile: string, kept: (index: number) => boolean): Promise<{ sha256: string; ranges: BlockRange[] }> {
  const whole = createHash('sha256');
  const zero = Buffer.alloc(blockSize);
  const ranges: BlockRange[] = [];
  let current: { first: number; last: number; hash: Hash } | undefined;
  const read = async (buffer: Uint8Array, position: number): Promise<number> => (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
  // Chunks start at multiples of 4 MiB, so no block straddles two of them.
  for await (const { position, end, bytes: data } of readChunks(read, [{ start: 0, end: bytes }])) {
    if (position + data.length < end) {
      throw new InputError('bmap.image-changed', `${imageFile} got shorter while its blocks were mapped`, { hint: 'map the image once nothing writes to it', data: { image: imageFile, bytes, at: position + data.length } });
    }
    whole.update(data);
    // Each run of mapped blocks within the chunk is hashed in one call.
    let run = -1;
    for (let at = 0; at < data.length; at += blockSize) {
      const block = data.subarray(at, Math.min(at + blockSize, data.length));
      const index = (position + at) / blockSize;
      if (kept(index) || !block.equals(zero.subarray(0, block.length))) {
        if (current === undefined) current = { first: index, last: index, hash: createHash('sha256') };
        current.last = index;
        if (run < 0) run = at;
      } else if (current !== undefined) {
        // A zero block ends the range; the chunk's end does not.
        if (run >= 0) current.hash.update(data.subarray(run, at));
        run = -1;
        ranges.push({ first: current.first, last: current.last, sha256: current.hash.digest('hex') });
        current = undefined;
      }
    }
    if (run >= 0) current?.hash.update(data.subarray(run));
  }
  if (current !== undefined) ranges.push({ first: current.first, last: current.last, sha256: current.hash.digest('hex') });
  return { sha256: whole.digest('hex'), ranges };
}

/** Whether a block touches one of the spans; asked for blocks in ascending order. */
function keptBlocks(spans: readonly Span[]): (index: number) => boolean {
  const sorted = spans
    .filter((span) => span.end > span.start)
    .map((span) => ({ first: Math.floor(span.start / blockSize), last: Math.floor((span.end - 1) / blockSize) }))
    .sort((a, b) => a.first - b.first);
  const merged: { first: number; last: number }[] = [];
  for (const span of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && span.first <= previous.last + 1) previous.last = Math.max(previous.last, span.last);
    else merged.push({ ...span });
  }
  let next = 0;
  return (index) => {
    while ((merged[next]?.last ?? Infinity) < index) next++;
    const span = merged[next];
    return span !== undefined && span.first <= index;
  };
}
