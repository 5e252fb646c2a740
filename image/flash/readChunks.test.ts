import { describe, expect, it } from 'vitest';
import { readChunks, type ReadAt } from './readChunks.js';

function file(bytes: Buffer): { read: ReadAt; calls: [number, number][] } {
  const calls: [number, number][] = [];
  return {
    calls,
    read: async (buffer, position) => {
      calls.push([position, buffer.length]);
      // Short reads, as a pipe or a slow device gives them: at most 3 bytes a call.
      const n = Math.max(0, Math.min(buffer.length, 3, bytes.length - position));
      if (n > 0) bytes.copy(buffer, 0, position, position + n);
      return Promise.resolve(n);
    },
  };
}

describe('readChunks', () => {
  it('cuts spans at multiples of the chunk size and reads each chunk whole', async () => {
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => i));
    const { read } = file(bytes);
    const chunks: [number, number, number[]][] = [];
    for await (const { position, end, bytes: data } of readChunks(read, [{ start: 2, end: 9 }, { start: 15, end: 17 }, { start: 30, end: 30 }], 8)) chunks.push([position, end, [...data]]);
    expect(chunks).toEqual([
      [2, 8, [2, 3, 4, 5, 6, 7]],
      [8, 9, [8]],
      [15, 16, [15]],
      [16, 17, [16]],
    ]);
  });

  it('gives a short chunk where the file ends', async () => {
    const { read } = file(Buffer.alloc(10, 1));
    const chunks: [number, number, number][] = [];
    for await (const { position, end, bytes } of readChunks(read, [{ start: 0, end: 20 }], 8)) chunks.push([position, end, bytes.length]);
    expect(chunks).toEqual([[0, 8, 8], [8, 16, 2], [16, 20, 0]]);
  });
});
