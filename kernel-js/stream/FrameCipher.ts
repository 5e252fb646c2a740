import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * The frames of a stream link. On the wire a frame is a 4-byte big-endian length (of what
 * follows), a type byte, the bytes its type carries in the clear (the hello: the circuit's
 * tag and the dialer's random bytes; the welcome: the listener's), the AES-256-GCM ciphertext
 * of its payload and the 16-byte GCM tag. The length, the type and the clear bytes are the
 * additional data the GCM tag covers, so none of them can be changed either.
 */
export const frameTypes = { hello: 1, welcome: 2, credit: 3, data: 4 } as const;
export type FrameType = keyof typeof frameTypes;

/** Bytes each type carries in the clear after its type byte. */
export const clearBytes: Readonly<Record<FrameType, number>> = { hello: 8 + 16, welcome: 16, credit: 0, data: 0 };
export const tagBytes = 16;
/** The length field and the type byte. */
export const frameHeaderBytes = 5;

const typeByCode = new Map<number, FrameType>(Object.entries(frameTypes).map(([name, code]) => [code, name as FrameType]));

/** A frame whose tag checked out. */
export interface OpenedFrame {
  readonly type: FrameType;
  readonly clear: Buffer;
  readonly payload: Buffer;
}

/**
 * One direction of one connection: seals or opens its frames in order under its key. The GCM
 * nonce is the frame's number on the connection (four zero bytes and a 64-bit counter), never
 * sent: both sides count, TCP keeps the order, and a frame dropped, repeated or moved fails its
 * tag. A frame may instead carry its own nonce (the hello, sealed under a key that outlives
 * connections, uses its random bytes).
 */
export class FrameCipher {
  readonly #key: Buffer;
  #counter = 0;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** The frame's pieces, to be written in order: header with the clear bytes, ciphertext, tag. */
  seal(type: FrameType, payload: Uint8Array, clear: Uint8Array = Buffer.alloc(0), nonce?: Uint8Array): Buffer[] {
    const header = Buffer.allocUnsafe(frameHeaderBytes + clear.length);
    header.writeUInt32BE(1 + clear.length + payload.length + tagBytes, 0);
    header[4] = frameTypes[type];
    header.set(clear, frameHeaderBytes);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce ?? this.#nextNonce());
    cipher.setAAD(header);
    const ciphertext = cipher.update(payload);
    cipher.final();
    return [header, ciphertext, cipher.getAuthTag()];
  }

  /**
   * The frame (its length field included) opened, or undefined when its type is unknown, it is
   * too short for its type or its tag does not match: forged, corrupted, replayed or sealed
   * under another key, which the caller cannot tell apart and need not.
   */
  open(frame: Buffer, nonce?: Uint8Array): OpenedFrame | undefined {
    const type = typeByCode.get(frame[4] ?? 0);
    if (type === undefined) return undefined;
    const aadBytes = frameHeaderBytes + clearBytes[type];
    if (frame.length < aadBytes + tagBytes) return undefined;
    const clear = frame.subarray(frameHeaderBytes, aadBytes);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce ?? this.#peekNonce());
    decipher.setAAD(frame.subarray(0, aadBytes));
    decipher.setAuthTag(frame.subarray(frame.length - tagBytes));
    const payload = decipher.update(frame.subarray(aadBytes, frame.length - tagBytes));
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    if (nonce === undefined) this.#counter++;
    return { type, clear, payload };
  }

  #peekNonce(): Buffer {
    const nonce = Buffer.alloc(12);
    nonce.writeUInt32BE(Math.floor(this.#counter / 2 ** 32), 4);
    nonce.writeUInt32BE(this.#counter >>> 0, 8);
    return nonce;
  }

  #nextNonce(): Buffer {
    const nonce = this.#peekNonce();
    this.#counter++;
    return nonce;
  }
}
