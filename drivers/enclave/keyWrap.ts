import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { DriverError } from '../DriverError.js';
import { rawX25519PublicKey, x25519KeyBytes, x25519PublicKey } from './x25519Keys.js';

const version = 1;
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;
const info = Buffer.from('osmose key wrap v1\0');
/** version ‖ ephemeral public key ‖ IV ‖ tag ‖ wrapped key. */
const wrappedBytes = 1 + x25519KeyBytes + ivBytes + tagBytes + keyBytes;

/**
 * Wraps a 32-byte key for one person, so that only the holder of the private half of
 * `recipient` (a raw X25519 public key) can take it out again: a fresh ephemeral X25519 pair
 * agrees a secret with the recipient, HKDF-SHA256 turns it into a key-encryption key (salt: the
 * ephemeral and the recipient's public keys; info: "osmose key wrap v1\0" ‖ `context`), and
 * AES-256-GCM seals the key under it. `context` names what the key is for (a recording's
 * epoch), so a wrapped key moved to another epoch does not open. Output: version ‖ ephemeral
 * public key ‖ IV ‖ tag ‖ ciphertext, 93 bytes, the first 33 authenticated as associated data.
 */
export function wrapKeyFor(key: Uint8Array, recipient: Uint8Array, context: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== keyBytes) throw new DriverError('driver.bad-option', `a wrapped key is ${keyBytes} bytes`);
  assertContext(context);
  const recipientKey = x25519PublicKey(recipient);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = rawX25519PublicKey(ephemeral.publicKey);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey });
  } catch (cause) {
    // A low-order point agrees on zero with everyone: a key wrapped with it would be open to all.
    throw new DriverError('enclave.bad-member', 'the member\'s public key is not a usable X25519 key (it agrees on no secret)', { cause });
  }
  const header = Buffer.concat([Uint8Array.of(version), ephemeralPublic]);
  const kek = keyEncryptionKey(shared, ephemeralPublic, recipient, context);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  kek.fill(0);
  return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), body]));
}

/**
 * Takes a key out of what wrapKeyFor made, with the recipient's X25519 private key and the same
 * context. Anything that does not open (another person's key, another context, a changed
 * byte) fails with `enclave.not-for-you`: which of them it was is not told apart.
 */
export function unwrapKeyWith(privateKey: KeyObject, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'x25519') {
    throw new DriverError('driver.bad-option', 'unwrapping needs an X25519 private key', { hint: "the person's key from generateKeyPairSync('x25519')" });
  }
  assertContext(context);
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== wrappedBytes || wrapped[0] !== version) throw notForYou();
  const bytes = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength);
  const ephemeralPublic = bytes.subarray(1, 1 + x25519KeyBytes);
  const recipient = rawX25519PublicKey(privateKey);
  try {
    const shared = diffieHellman({ privateKey, publicKey: x25519PublicKey(ephemeralPublic) });
    const kek = keyEncryptionKey(shared, ephemeralPublic, recipient, context);
    const at = 1 + x25519KeyBytes;
    const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(at, at + ivBytes));
    decipher.setAAD(bytes.subarray(0, at));
    decipher.setAuthTag(bytes.subarray(at + ivBytes, at + ivBytes + tagBytes));
    const key = Buffer.concat([decipher.update(bytes.subarray(at + ivBytes + tagBytes)), decipher.final()]);
    kek.fill(0);
    return new Uint8Array(key);
  } catch (cause) {
    throw notForYou(cause);
  }
}

function keyEncryptionKey(shared: Buffer, ephemeralPublic: Uint8Array, recipient: Uint8Array, context: Uint8Array): Buffer {
  const kek = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, recipient]), Buffer.concat([info, context]), keyBytes));
  shared.fill(0);
  return kek;
}

function assertContext(context: Uint8Array): void {
  if (!(context instanceof Uint8Array)) throw new DriverError('driver.bad-option', 'a key wrap\'s context must be bytes (the epoch id, encoded)');
}

function notForYou(cause?: unknown): DriverError {
  return new DriverError('enclave.not-for-you', 'the wrapped key does not open with this private key: it was wrapped for someone else, for another epoch, or changed', {
    ...(cause === undefined ? {} : { cause }),
  });
}
