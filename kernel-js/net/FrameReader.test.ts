import { describe, expect, it } from 'vitest';
import { FrameReader } from './FrameReader.js';
import { RpcError } from './RpcError.js';

/** A stream frame by hand: the segment table, then each segment filled with its own byte. */
function frame(segmentWords: readonly number[], fill: number): Uint8Array {
  const headerBytes = (4 * (segmentWords.length + 1) + 7) & ~7;
  const total = headerBytes + segmentWords.reduce((sum, words) => sum + words * 8, 0);
  const bytes = new Uint8Array(total).fill(fill, headerBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, segmentWords.length - 1, true);
  segmentWords.forEach((words, i) => view.setUint32(4 + 4 * i, words, true));
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

// One segment (no padding in the table), two (padded), three, and an empty segment among them.
const frames = [frame([3], 0xa1), frame([1, 2], 0xb2), frame([2, 0, 1], 0xc3), frame([5], 0xd4)];
const stream = concat(frames);

function hex(buffers: readonly ArrayBuffer[]): string[] {
  return buffers.map((buffer) => Buffer.from(buffer).toString('hex'));
}
const expected = hex(frames.map((f) => f.slice().buffer));

describe('FrameReader', () => {
  it('gives back every frame of a stream delivered in one chunk', () => {
    const reader = new FrameReader();
    expect(hex(reader.push(stream))).toEqual(expected);
    expect(reader.buffered).toBe(0);
  });

  it('gives back the same frames whatever two chunks the stream is split into', () => {
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const reader = new FrameReader();
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(hex(got), `split at byte ${cut}`).toEqual(expected);
    }
  });

  it('gives back the same frames when the stream arrives a byte at a time, and each as soon as it is whole', () => {
    const reader = new FrameReader();
    const got: ArrayBuffer[] = [];
    const ends = frames.map((_, i) => frames.slice(0, i + 1).reduce((sum, f) => sum + f.byteLength, 0));
    for (let i = 0; i < stream.byteLength; i++) {
      const out = reader.push(stream.subarray(i, i + 1));
      expect(out.length, `byte ${i}`).toBe(ends.includes(i + 1) ? 1 : 0);
      got.push(...out);
    }
    expect(hex(got)).toEqual(expected);
  });

  it('cuts frames out of chunks that straddle them at every pair of cut points', () => {
    for (let a = 0; a <= stream.byteLength; a += 3) {
      for (let b = a; b <= stream.byteLength; b += 5) {
        const reader = new FrameReader();
        const got = [...reader.push(stream.subarray(0, a)), ...reader.push(stream.subarray(a, b)), ...reader.push(stream.subarray(b))];
        expect(hex(got), `cuts at ${a} and ${b}`).toEqual(expected);
      }
    }
  });

  it('refuses a frame larger than the limit from its header, before its body arrives', () => {
    const reader = new FrameReader({ maxFrameBytes: 1024, maxSegments: 512 });
    const header = frame([129], 0).subarray(0, 8); // 8 + 129 × 8 = 1040 bytes announced
    expect(() => reader.push(header)).toThrow(expect.objectContaining({ code: 'rpc.frame-too-large' }) as Error);
  });

  it('refuses a frame of 64 MiB and more by default, and too many segments as soon as the count is read', () => {
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(4, (64 * 1024 * 1024) / 8, true);
    expect(() => new FrameReader().push(huge)).toThrow(RpcError);

    const many = new Uint8Array(4);
    new DataView(many.buffer).setUint32(0, 512, true); // 513 segments
    let error: unknown;
    try {
      new FrameReader().push(many);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('rpc.too-many-segments');
    expect((error as RpcError).message).toMatch(/513 segments/);
  });

  it('accepts a frame exactly at the limits', () => {
    const reader = new FrameReader({ maxFrameBytes: 8 + 16, maxSegments: 1 });
    expect(reader.push(frame([2], 1))).toHaveLength(1);
  });
});
