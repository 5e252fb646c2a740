/**
 * Bytes waiting for the app (received serial bytes, captured PCM), oldest first, bounded:
 * pushing past `capacity` drops the oldest bytes, so a module that stops reading costs the
 * board a fixed amount of memory, never more.
 */
export class ByteQueue {
  readonly capacity: number;
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** How many bytes wait. */
  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `bytes`; returns how many of the oldest bytes were dropped to make room. */
  push(bytes: Uint8Array): number {
    if (bytes.length === 0) return 0;
    // Only the newest `capacity` bytes of a push that alone is too large can stay.
    const kept = bytes.length > this.capacity ? bytes.subarray(bytes.length - this.capacity) : bytes;
    const dropped = Math.max(0, this.#length + kept.length - this.capacity) + (bytes.length - kept.length);
    this.#discard(this.#length + kept.length - this.capacity);
    this.#chunks.push(Uint8Array.from(kept));
    this.#length += kept.length;
    return dropped;
  }

  /** A copy of the oldest `count` bytes (fewer when fewer wait), left in the queue. */
  peek(count: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, Math.min(count, this.#length)));
    let at = 0;
    for (const chunk of this.#chunks) {
      if (at === out.length) break;
      const part = chunk.subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Drops the oldest `count` bytes. */
  discard(count: number): void {
    this.#discard(count);
  }

  clear(): void {
    this.#chunks.length = 0;
    this.#length = 0;
  }

  #discard(count: number): void {
    let left = Math.min(count, this.#length);
    while (left > 0) {
      const head = this.#chunks[0];
      if (head === undefined) break;
      if (head.length <= left) {
        this.#chunks.shift();
        this.#length -= head.length;
        left -= head.length;
      } else {
        this.#chunks[0] = head.subarray(left);
        this.#length -= left;
        left = 0;
      }
    }
  }
}
