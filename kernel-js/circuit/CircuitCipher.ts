import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KernelError } from '../KernelError.js';
import type { CircuitConfig, CircuitEndName } from './CircuitConfig.js';
import { circuitTag } from './circuitTag.js';
import {
  authTagBytes,
  circuitKindCodes,
  datagramVersion,
  headerBytes,
  minDatagramBytes,
  sequenceOffset,
  tagBytes,
  tagOffset,
} from './datagramFormat.js';
import { deriveCircuitKeys } from './deriveCircuitKeys.js';

/** Why a datagram was refused; each has its own counter. */
export type DatagramRefusal = 'malformed' | 'unknown' | 'forged' | 'replayed' | 'stale';

/** What opening a datagram gives: the message and its sequence, or why not. */
export type OpenedDatagram =
  | { readonly ok: true; readonly sequence: bigint; readonly message: Uint8Array }
  | { readonly ok: false; readonly reason: DatagramRefusal };

// ChaCha20-Poly1305 rather than AES-GCM: the Raspberry Pi 4's Cortex-A72 has no AES
// instructions, and ChaCha20 is fast in plain software.
const algorithm = 'chacha20-poly1305';
const nonceBytes = 12;
const maxSequence = 2n ** 64n - 1n;

/** The nonce: 4 zero bytes, then the sequence (its 8 bytes as the header carries them). Unique per key as long as the sender's sequences never repeat. */
function nonceOf(sequence: Uint8Array): Buffer {
  const nonce = Buffer.alloc(nonceBytes);
  nonce.set(sequence, nonceBytes - 8);
  return nonce;
}

/**
 * Seals and opens one end's datagrams of one circuit: it seals with this end's sending key and
 * opens with the other end's, so it never opens what it sealed itself. It checks a datagram's
 * form and authenticity only; whether its sequence is new and fresh is the replay guard's
 * business, judged after the datagram is known to be genuine.
 */
export class CircuitCipher {
  readonly id: string;
  readonly tag: Uint8Array;
  readonly #kind: number;
  readonly #sendKey: Uint8Array;
  readonly #receiveKey: Uint8Array;

  constructor(circuit: Pick<CircuitConfig, 'id' | 'kind' | 'key'>, end: CircuitEndName) {
    const keys = deriveCircuitKeys(circuit.id, circuit.key);
    this.id = circuit.id;
    this.tag = circuitTag(circuit.id);
    this.#kind = circuitKindCodes[circuit.kind];
    this.#sendKey = end === 'app' ? keys.appToDevice : keys.deviceToApp;
    this.#receiveKey = end === 'app' ? keys.deviceToApp : keys.appToDevice;
  }

  /** One datagram carrying `message` under `sequence`, which the caller never gives twice. */
  seal(sequence: bigint, message: Uint8Array): Uint8Array {
    if (sequence < 0n || sequence > maxSequence) {
      throw new KernelError('circuit.bad-sequence', `circuit ${this.id}: sequence ${sequence} does not fit in 64 bits`, { data: { circuit: this.id } });
    }
    // One Buffer for the whole datagram, written in place: an action's path allocates little.
    const datagram = Buffer.allocUnsafe(headerBytes + message.length + authTagBytes);
    datagram[0] = datagramVersion;
    datagram[1] = this.#kind;
    datagram.set(this.tag, tagOffset);
    datagram.writeBigUInt64BE(sequence, sequenceOffset);
    const cipher = createCipheriv(algorithm, this.#sendKey, nonceOf(datagram.subarray(sequenceOffset, headerBytes)), { authTagLength: authTagBytes });
    cipher.setAAD(datagram.subarray(0, headerBytes), { plaintextLength: message.length });
    // A stream AEAD: update gives every byte, final only finishes the tag.
    datagram.set(cipher.update(message), headerBytes);
    cipher.final();
    datagram.set(cipher.getAuthTag(), headerBytes + message.length);
    return new Uint8Array(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  }

  /**
   * The message in `datagram`, or why it is refused: `malformed` when it is too short or of
   * another version or kind, `unknown` when its tag names another circuit, `forged` when it
   * does not authenticate under the other end's key (corrupted, truncated, another key).
   */
  open(datagram: Uint8Array): OpenedDatagram {
    if (datagram.length < minDatagramBytes || datagram[0] !== datagramVersion || datagram[1] !== this.#kind) return { ok: false, reason: 'malformed' };
    for (let i = 0; i < tagBytes; i += 1) {
      if (datagram[tagOffset + i] !== this.tag[i]) return { ok: false, reason: 'unknown' };
    }
    const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const sequence = bytes.readBigUInt64BE(sequenceOffset);
    const bodyEnd = bytes.length - authTagBytes;
    const decipher = createDecipheriv(algorithm, this.#receiveKey, nonceOf(bytes.subarray(sequenceOffset, headerBytes)), { authTagLength: authTagBytes });
    decipher.setAAD(bytes.subarray(0, headerBytes), { plaintextLength: bodyEnd - headerBytes });
    decipher.setAuthTag(bytes.subarray(bodyEnd));
    const plain = decipher.update(bytes.subarray(headerBytes, bodyEnd));
    try {
      decipher.final();
      return { ok: true, sequence, message: new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength) };
    } catch {
      return { ok: false, reason: 'forged' };
    }
  }
}
