/**
 * Cuts the bytes of a TCP stream back into length-prefixed frames (4-byte big-endian length of
 * what follows), each handed over whole with its length field. A length past `maxLength` is
 * refused before any of the frame is buffered, so a peer cannot make the link hold more than
 * one frame's worth of memory: push answers false and the caller closes the connection.
 */
export class FrameSplitter {
  readonly #maxLength: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxLength: number) {
    this.#maxLength = maxLength;
  }

  /** Takes the next bytes; calls onFrame for each whole frame, in order. False once a frame is too long (nothing more is taken). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => boolean): boolean {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      const length = this.#peekLength();
      if (length > this.#maxLength) return false;
      if (this.#buffered < 4 + length) return true;
      if (!onFrame(this.#take(4 + length))) return false;
    }
    return true;
  }

  #peekLength(): number {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= 4) return first.readUInt32BE(0);
    return this.#take(4, true).readUInt32BE(0);
  }

  /** The next `bytes` bytes, from one chunk without copying when they lie in it; left in place when peeking. */
  #take(bytes: number, peek = false): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= bytes) {
      if (peek) return first;
      if (first.length === bytes) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(bytes);
      this.#buffered -= bytes;
      return first.subarray(0, bytes);
    }
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    let index = 0;
    while (filled < bytes) {
      const chunk = this.#chunks[index];
      if (chunk === undefined) throw new Error('FrameSplitter: fewer bytes buffered than counted');
      const used = Math.min(chunk.length, bytes - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (!peek) {
        if (used === chunk.length) index++;
        else this.#chunks[index] = chunk.subarray(used);
      } else {
        index++;
      }
    }
    if (!peek) {
      this.#chunks.splice(0, index);
      this.#buffered -= bytes;
    }
    return out;
  }
}
