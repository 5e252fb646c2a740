import * as z from 'zod';

/**
 * The block map of a flashable image (docs/image-format.md, "The block map"): which 4 KiB
 * blocks hold data, in ranges, each with its digest, and the whole image's length and digest,
 * signed by the building's targets key in TUF's envelope. `osmose flash` writes only the
 * mapped ranges, skips those the destination already holds, and reads each one back.
 */
export const blockSize = 4096;

export interface BlockRange {
  /** The range's first block, counted from 0. */
  readonly first: number;
  /** Its last block, inclusive (as bmaptool counts). */
  readonly last: number;
  /** SHA-256 of the range's bytes, cut at the image's end when its last block is partial. */
  readonly sha256: string;
}

export interface BlockMap {
  readonly format: 1;
  readonly type: 'osmose-block-map';
  readonly board: string;
  readonly image: { readonly bytes: number; readonly sha256: string };
  readonly blockSize: typeof blockSize;
  /** Mapped blocks, ascending, neither overlapping nor touching (adjacent ranges are merged). */
  readonly ranges: readonly BlockRange[];
}

export interface SignedBlockMap {
  readonly signed: BlockMap;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** Where an image's block map lives: beside it. */
export function blockMapPath(image: string): string {
  return `${image}.bmap.json`;
}

/** A range's byte span in the image: [start, end). */
export function rangeSpan(map: BlockMap, range: BlockRange): { readonly start: number; readonly end: number } {
  return { start: range.first * map.blockSize, end: Math.min((range.last + 1) * map.blockSize, map.image.bytes) };
}

/** The bytes the ranges cover. */
export function mappedBytes(map: BlockMap): number {
  return map.ranges.reduce((sum, range) => {
    const { start, end } = rangeSpan(map, range);
    return sum + end - start;
  }, 0);
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The shape of `signed`; the relations between ranges are checked in readBlockMap. */
export const blockMapSchema = z.strictObject({
  format: z.literal(1),
  type: z.literal('osmose-block-map'),
  board: z.string().min(1),
  image: z.strictObject({ bytes: count, sha256 }),
  blockSize: z.literal(blockSize),
  ranges: z.array(z.strictObject({ first: count, last: count, sha256 })),
});
