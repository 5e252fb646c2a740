import { createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { DriverError } from '../DriverError.js';
import { sealedFormat, sealedTampered } from './sealedFormat.js';

const { version, ivBytes, overhead, keyBytes } = sealedFormat;

/**
 * Opens what an enclave sealed, given the key itself rather than a handle: how a participant
 * reads a recording once they have unwrapped its key with their own private key (unwrapKeyWith),
 * on any machine, with no enclave. The enclave's own open goes through here too, so the two can
 * never disagree on the format. A changed byte or another key fails with `enclave.tampered`.
 */
export function openSealed(key: Uint8Array | KeyObject, sealed: Uint8Array): Uint8Array {
  const secret = key instanceof Uint8Array ? secretKey(key) : key;
  if (!(sealed instanceof Uint8Array) || sealed.length < overhead || sealed[0] !== version) throw sealedTampered();
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, bytes.subarray(1, 1 + ivBytes));
    decipher.setAAD(Uint8Array.of(version));
    decipher.setAuthTag(bytes.subarray(1 + ivBytes, overhead));
    return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(overhead)), decipher.final()]));
  } catch (cause) {
    throw sealedTampered(cause);
  }
}

function secretKey(bytes: Uint8Array): KeyObject {
  if (bytes.length !== keyBytes) {
    throw new DriverError('driver.bad-option', `a key that opens sealed data is ${keyBytes} bytes, not ${bytes.length}`, { hint: 'pass the key unwrapKeyWith returned', data: { bytes: bytes.length } });
  }
  return createSecretKey(Buffer.from(bytes));
}
