/** Reads up to `buffer.length` bytes at `position`; returns how many it read (0 at the end). */
export type ReadAt = (buffer: Uint8Array, position: number) => Promise<number>;

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Chunk {
  readonly position: number;
  /** Where the chunk was to end: `bytes` is shorter only when the file ended first. */
  readonly end: number;
  readonly bytes: Buffer;
}

/** 4 MiB: dd's bs=4M, and the erase block of most SD cards, so a chunk rewrites whole ones. */
export const chunkBytes = 4 * 1024 * 1024;

/**
 * Reads the spans in chunks cut at multiples of `size` (so chunks line up with erase blocks
 * whatever the spans), the next chunk's read in flight while the caller works on the current
 * one. A chunk's buffer is reused: it is valid until the caller asks for the next.
 */
export async function* readChunks(read: ReadAt, spans: Iterable<Span>, size = chunkBytes): AsyncGenerator<Chunk, void, undefined> {
  const chunks = [...cutChunks(spans, size)];
  if (chunks.length === 0) return;
  const buffers = [Buffer.allocUnsafe(Math.min(size, longest(chunks))), Buffer.allocUnsafe(Math.min(size, longest(chunks)))] as const;
  const fill = async (index: number): Promise<Chunk> => {
    const chunk = chunks[index] as Span;
    const view = buffers[index % 2 === 0 ? 0 : 1].subarray(0, chunk.end - chunk.start);
    return { position: chunk.start, end: chunk.end, bytes: view.subarray(0, await readFully(read, view, chunk.start)) };
  };
  let pending = fill(0);
  try {
    for (let index = 0; index < chunks.length; index++) {
      const chunk = await pending;
      if (index + 1 < chunks.length) pending = fill(index + 1);
      yield chunk;
    }
  } finally {
    // A caller that stops early leaves one read in flight; its failure is no longer news.
    pending.catch(() => undefined);
  }
}

/** Fills `buffer` from `position` unless the file ends first; returns the bytes read. */
export async function readFully(read: ReadAt, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const n = await read(buffer.subarray(done), position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function* cutChunks(spans: Iterable<Span>, size: number): Generator<Span> {
  for (const { start, end } of spans) {
    for (let at = start; at < end; ) {
      const next = Math.min(end, (Math.floor(at / size) + 1) * size);
      yield { start: at, end: next };
      at = next;
    }
  }
}

function longest(chunks: readonly Span[]): number {
  return chunks.reduce((max, chunk) => Math.max(max, chunk.end - chunk.start), 0);
}
