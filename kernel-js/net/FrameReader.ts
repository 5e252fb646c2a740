import { RpcError } from './RpcError.js';

/** Limits on one incoming frame; past them the frame is refused before its body is read. */
export interface FrameLimits {
  /** The whole frame, segment table included, in bytes. */
  readonly maxFrameBytes: number;
  readonly maxSegments: number;
}

/**
 * A control message is a few hundred bytes; a deployment offer lists a handful of files. A
 * frame announcing more than this is a broken or hostile peer, and waiting for its body would
 * only let it make us buffer that much.
 */
export const defaultFrameLimits: FrameLimits = { maxFrameBytes: 64 * 1024 * 1024, maxSegments: 512 };

/**
 * Cuts a byte stream back into Cap'n Proto stream frames (the standard framing: a segment
 * count minus one, each segment's size in words, padding to a word, then the segments),
 * however the transport chunked it: a header split anywhere, a frame in many pieces, several
 * frames in one chunk. Chunks are kept as they came and copied once, into the frame they
 * belong to, so a large frame arriving in small pieces costs its size and not its square.
 */
export class FrameReader {
  readonly #limits: FrameLimits;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes of #chunks[0] already handed out. */
  #offset = 0;
  #buffered = 0;
  /** The size of the frame at the front, once its segment table has arrived. */
  #frameBytes: number | undefined;

  constructor(limits: FrameLimits = defaultFrameLimits) {
    this.#limits = limits;
  }

  /** Bytes received and not yet part of a complete frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Takes the next chunk of the stream and answers the frames it completes, each in an
   * ArrayBuffer of its own. Throws an RpcError when a frame's header asks for more than the
   * limits allow; the stream cannot be resynchronised after that, so the caller closes it.
   */
  push(chunk: Uint8Array): ArrayBuffer[] {
    if (chunk.byteLength > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
    }
    const frames: ArrayBuffer[] = [];
    for (;;) {
      this.#frameBytes ??= this.#readHeader();
      if (this.#frameBytes === undefined || this.#buffered < this.#frameBytes) return frames;
      frames.push(this.#take(this.#frameBytes));
      this.#frameBytes = undefined;
    }
  }

  /** The size of the frame at the front, or undefined until enough of its header is here. */
  #readHeader(): number | undefined {
    if (this.#buffered < 4) return undefined;
    const segments = this.#peek(4).getUint32(0, true) + 1;
    if (segments > this.#limits.maxSegments) {
      throw new RpcError('rpc.too-many-segments', `refused a Cap'n Proto frame of ${segments} segments: a control message has at most ${this.#limits.maxSegments}`, {
        hint: 'the peer is not speaking osmose control-plane RPC, or is broken; the connection is closed',
        data: { segments, maxSegments: this.#limits.maxSegments },
      });
    }
    // The count and the sizes are 32-bit words, padded to a whole 64-bit word.
    const headerBytes = (4 * (segments + 1) + 7) & ~7;
    if (this.#buffered < headerBytes) return undefined;
    const header = this.#peek(headerBytes);
    let words = 0;
    for (let i = 0; i < segments; i++) words += header.getUint32(4 + 4 * i, true);
    const frameBytes = headerBytes + words * 8;
    if (frameBytes > this.#limits.maxFrameBytes) {
      throw new RpcError('rpc.frame-too-large', `refused a Cap'n Proto frame of ${frameBytes} bytes: a control message is at most ${this.#limits.maxFrameBytes}`, {
        hint: 'the peer is not speaking osmose control-plane RPC, or is broken; the connection is closed',
        data: { frameBytes, maxFrameBytes: this.#limits.maxFrameBytes },
      });
    }
    return frameBytes;
  }

  /** The first `length` buffered bytes, without consuming them. */
  #peek(length: number): DataView {
    const first = this.#chunks[0];
    if (first !== undefined && first.byteLength - this.#offset >= length) {
      return new DataView(first.buffer, first.byteOffset + this.#offset, length);
    }
    return new DataView(this.#copy(length, false));
  }

  #take(length: number): ArrayBuffer {
    return this.#copy(length, true);
  }

  /** Copies the first `length` buffered bytes into a new ArrayBuffer, consuming them if asked. */
  #copy(length: number, consume: boolean): ArrayBuffer {
    const out = new Uint8Array(length);
    let filled = 0;
    let index = 0;
    let offset = this.#offset;
    while (filled < length) {
      const chunk = this.#chunks[index];
      if (chunk === undefined) throw new Error('FrameReader: fewer bytes buffered than counted');
      const n = Math.min(chunk.byteLength - offset, length - filled);
      out.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (offset === chunk.byteLength) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      this.#chunks.splice(0, index);
      this.#offset = offset;
      this.#buffered -= length;
    }
    return out.buffer;
  }
}
