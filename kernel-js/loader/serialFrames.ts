import { crc32 } from 'node:zlib';

/**
 * The framing of the serial flashing protocol, shared by the loader (kernel-js) and the
 * sender (image/flash). Layout and rationale: docs/serial-flashing.md.
 *
 *   0  2  magic F1 05
 *   2  1  protocol version
 *   3  1  type
 *   4  4  sequence number (u32 LE)
 *   8  4  payload length (u32 LE), at most maxPayload
 *  12  4  CRC-32 of bytes 0..11
 *  16  n  payload
 * 16+n 4  CRC-32 of bytes 0..16+n-1
 *
 * The header has a CRC of its own so that a garbled length is caught at once: the decoder
 * then slides one byte and looks for the next magic, instead of waiting for thousands of
 * bytes that will never come.
 */
export const frameMagic = Uint8Array.of(0xf1, 0x05);
export const protocolVersion = 1;
export const headerBytes = 16;
export const trailerBytes = 4;
/** The largest chunk a DATA frame carries. */
export const maxChunkSize = 65_536;
/** The largest payload a frame may announce: a DATA frame of the largest chunk, its offset, and room to spare. */
export const maxPayload = maxChunkSize + 64;

export const frameType = {
  hello: 1,
  ready: 2,
  data: 3,
  ack: 4,
  nak: 5,
  done: 6,
  ok: 7,
  failed: 8,
} as const;
export type FrameTypeName = keyof typeof frameType;
export type FrameTypeCode = (typeof frameType)[FrameTypeName];

export interface Frame {
  readonly version: number;
  readonly type: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** What the decoder makes of the bytes it is given. */
export type FrameEvent =
  | { readonly kind: 'frame'; readonly frame: Frame }
  /** A frame whose header checked but whose payload did not: the loader NAKs its sequence number. */
  | { readonly kind: 'corrupt'; readonly version: number; readonly type: number; readonly seq: number; readonly length: number };

/** One frame's bytes. */
export function encodeFrame(type: FrameTypeCode, seq: number, payload: Uint8Array = new Uint8Array(0), version: number = protocolVersion): Uint8Array {
  if (payload.length > maxPayload) throw new RangeError(`a frame carries at most ${maxPayload} bytes, not ${payload.length}`);
  const bytes = new Uint8Array(headerBytes + payload.length + trailerBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(frameMagic, 0);
  view.setUint8(2, version);
  view.setUint8(3, type);
  view.setUint32(4, seq >>> 0, true);
  view.setUint32(8, payload.length, true);
  view.setUint32(12, crc32(bytes.subarray(0, 12)), true);
  bytes.set(payload, headerBytes);
  view.setUint32(headerBytes + payload.length, crc32(bytes.subarray(0, headerBytes + payload.length)), true);
  return bytes;
}

/**
 * A streaming decoder: give it bytes as they arrive, however they are cut, and it returns
 * the frames they complete. Bytes that are not part of a frame whose header checks are
 * skipped and counted, so noise between frames or a garbled header costs only the frame it
 * hit; a frame whose payload fails its CRC is reported as corrupt and skipped whole.
 */
export class FrameDecoder {
  #buffer = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  #skipped = 0;
  #corrupt = 0;

  /** Bytes skipped while looking for a frame: noise, garbled headers, discarded partial frames. */
  get skippedBytes(): number {
    return this.#skipped;
  }

  /** Frames whose header checked but whose payload did not. */
  get corruptFrames(): number {
    return this.#corrupt;
  }

  /** Bytes held that do not yet make a whole frame. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  push(bytes: Uint8Array): FrameEvent[] {
    this.#append(bytes);
    const events: FrameEvent[] = [];
    for (;;) {
      const event = this.#next();
      if (event === 'wait') break;
      if (event !== 'skip') events.push(event);
    }
    this.#compact();
    return events;
  }

  /**
   * Drops a partial frame. The caller does so when the line has been quiet: a sender that
   * was cut mid-frame, or restarted, sends its next frame only after a pause, and that frame
   * must not be read as the rest of the old one.
   */
  discardPartial(): void {
    this.#skipped += this.#end - this.#start;
    this.#start = 0;
    this.#end = 0;
  }

  #next(): FrameEvent | 'wait' | 'skip' {
    const buffer = this.#buffer;
    const magicAt = this.#findMagic();
    if (magicAt < 0) return 'wait';
    if (this.#end - magicAt < headerBytes) return 'wait';
    const view = new DataView(buffer.buffer, magicAt, headerBytes);
    const length = view.getUint32(8, true);
    if (view.getUint32(12, true) !== crc32(buffer.subarray(magicAt, magicAt + 12)) || length > maxPayload) {
      this.#skip(magicAt + 1);
      return 'skip';
    }
    const total = headerBytes + length + trailerBytes;
    if (this.#end - magicAt < total) return 'wait';
    const version = view.getUint8(2);
    const type = view.getUint8(3);
    const seq = view.getUint32(4, true);
    const expected = new DataView(buffer.buffer, magicAt + headerBytes + length, trailerBytes).getUint32(0, true);
    const ok = expected === crc32(buffer.subarray(magicAt, magicAt + headerBytes + length));
    this.#start = magicAt + total;
    if (!ok) {
      this.#corrupt += 1;
      return { kind: 'corrupt', version, type, seq, length };
    }
    return { kind: 'frame', frame: { version, type, seq, payload: buffer.slice(magicAt + headerBytes, magicAt + headerBytes + length) } };
  }

  /** The index of the next magic, skipping (and counting) what comes before it; -1 when there is none yet. */
  #findMagic(): number {
    const buffer = this.#buffer;
    for (let i = this.#start; i < this.#end; i += 1) {
      if (buffer[i] !== frameMagic[0]) continue;
      if (i + 1 === this.#end) {
        this.#skip(i);
        return -1;
      }
      if (buffer[i + 1] === frameMagic[1]) {
        this.#skip(i);
        return i;
      }
    }
    this.#skip(this.#end);
    return -1;
  }

  #skip(to: number): void {
    this.#skipped += to - this.#start;
    this.#start = to;
  }

  #append(bytes: Uint8Array): void {
    if (this.#end + bytes.length > this.#buffer.length) {
      this.#compact();
      if (this.#end + bytes.length > this.#buffer.length) {
        const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#end + bytes.length));
        grown.set(this.#buffer.subarray(0, this.#end));
        this.#buffer = grown;
      }
    }
    this.#buffer.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  #compact(): void {
    if (this.#start === 0) return;
    this.#buffer.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
  }
}
