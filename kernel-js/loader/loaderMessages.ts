import type { OsmoseErrorJson } from '../../lib/OsmoseError.js';

/**
 * The payloads of the protocol's messages, version 1 (docs/serial-flashing.md). Integers are
 * little-endian; offsets and lengths are u64 (read back as numbers: images stay far below
 * 2^53 bytes). Each decoder answers undefined for a payload of the wrong size, which the
 * receiving end treats like noise.
 */

/** Sender → loader: the image about to be sent. */
export interface Hello {
  readonly length: number;
  /** SHA-256 of the whole image, 32 bytes. */
  readonly sha256: Uint8Array;
  /** The chunk size the sender would like; the loader may answer a smaller one. */
  readonly chunkSize: number;
}

/** Loader → sender: where to start, and the chunk size to use. */
export interface Ready {
  /** Bytes of this image the loader already holds, durably: the sender starts here. */
  readonly offset: number;
  readonly chunkSize: number;
}

export const dataEncoding = {
  /** The chunk's bytes as they are. */
  raw: 0,
  /** The chunk compressed with raw DEFLATE (RFC 1951, node:zlib on both ends): disk images are mostly text and code. */
  deflateRaw: 1,
  /**
   * A run of zero bytes, its length a u32: one frame, and one round trip, for up to
   * maxZeroRun bytes of an empty partition, where chunks would cost a round trip each.
   */
  zeros: 2,
} as const;

/** The longest run of zeros one frame may announce: the loader writes it before it answers. */
export const maxZeroRun = 1 << 20;

export function zeroRunBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, length, true);
  return bytes;
}
export type DataEncoding = (typeof dataEncoding)[keyof typeof dataEncoding];

/** Sender → loader: bytes of the image at an offset, as they travel (`encoding`). */
export interface Data {
  readonly offset: number;
  readonly encoding: DataEncoding;
  readonly bytes: Uint8Array;
}

/** Loader → sender, for DATA: the offset it expects next (cumulative, like TCP's). */
export interface Ack {
  readonly next: number;
}

export const nakReason = {
  /** The frame's payload failed its CRC. */
  crc: 1,
  /** The chunk is not at the offset the loader expects next (`next` says which). */
  offset: 2,
  /** The loader has no transfer under way (it restarted): say HELLO again. */
  noSession: 3,
  /** The chunk is malformed or runs past the image's length. */
  malformed: 4,
} as const;
export type NakReason = (typeof nakReason)[keyof typeof nakReason];

export interface Nak {
  readonly next: number;
  readonly reason: NakReason;
}

/** Loader → sender, for DONE: what it verified. */
export interface Ok {
  readonly length: number;
  readonly sha256: Uint8Array;
}

export function encodeHello(hello: Hello): Uint8Array {
  const bytes = new Uint8Array(44);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(hello.length), true);
  bytes.set(hello.sha256, 8);
  view.setUint32(40, hello.chunkSize, true);
  return bytes;
}

export function decodeHello(bytes: Uint8Array): Hello | undefined {
  if (bytes.length !== 44) return undefined;
  const view = viewOf(bytes);
  return { length: Number(view.getBigUint64(0, true)), sha256: bytes.slice(8, 40), chunkSize: view.getUint32(40, true) };
}

export function encodeReady(ready: Ready): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(ready.offset), true);
  view.setUint32(8, ready.chunkSize, true);
  return bytes;
}

export function decodeReady(bytes: Uint8Array): Ready | undefined {
  if (bytes.length !== 12) return undefined;
  const view = viewOf(bytes);
  return { offset: Number(view.getBigUint64(0, true)), chunkSize: view.getUint32(8, true) };
}

export function encodeData(data: Data): Uint8Array {
  const bytes = new Uint8Array(9 + data.bytes.length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(data.offset), true);
  view.setUint8(8, data.encoding);
  bytes.set(data.bytes, 9);
  return bytes;
}

export function decodeData(bytes: Uint8Array): Data | undefined {
  if (bytes.length < 10) return undefined;
  const view = viewOf(bytes);
  const encoding = view.getUint8(8);
  if (!Object.values(dataEncoding).includes(encoding as DataEncoding)) return undefined;
  return { offset: Number(view.getBigUint64(0, true)), encoding: encoding as DataEncoding, bytes: bytes.subarray(9) };
}

export function encodeAck(ack: Ack): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(ack.next), true);
  return bytes;
}

export function decodeAck(bytes: Uint8Array): Ack | undefined {
  if (bytes.length !== 8) return undefined;
  return { next: Number(viewOf(bytes).getBigUint64(0, true)) };
}

export function encodeNak(nak: Nak): Uint8Array {
  const bytes = new Uint8Array(9);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(nak.next), true);
  view.setUint8(8, nak.reason);
  return bytes;
}

export function decodeNak(bytes: Uint8Array): Nak | undefined {
  if (bytes.length !== 9) return undefined;
  const view = viewOf(bytes);
  const reason = view.getUint8(8);
  if (!Object.values(nakReason).includes(reason as NakReason)) return undefined;
  return { next: Number(view.getBigUint64(0, true)), reason: reason as NakReason };
}

export function encodeOk(ok: Ok): Uint8Array {
  const bytes = new Uint8Array(40);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(ok.length), true);
  bytes.set(ok.sha256, 8);
  return bytes;
}

export function decodeOk(bytes: Uint8Array): Ok | undefined {
  if (bytes.length !== 40) return undefined;
  return { length: Number(viewOf(bytes).getBigUint64(0, true)), sha256: bytes.slice(8, 40) };
}

/** FAILED carries the loader's error as JSON (OsmoseError's toJSON), so it arrives as the same error. */
export function encodeFailed(error: OsmoseErrorJson): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(error));
}

export function decodeFailed(bytes: Uint8Array): OsmoseErrorJson | undefined {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v['code'] !== 'string' || typeof v['message'] !== 'string') return undefined;
    const data = typeof v['data'] === 'object' && v['data'] !== null ? (v['data'] as Record<string, unknown>) : {};
    return { name: 'OsmoseError', code: v['code'], message: v['message'], ...(typeof v['hint'] === 'string' ? { hint: v['hint'] } : {}), data };
  } catch {
    return undefined;
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
