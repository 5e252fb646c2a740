import { createPublicKey, type KeyObject } from 'node:crypto';
import { DriverError } from '../DriverError.js';

/** Bytes of a raw X25519 public key (RFC 7748), the form people's keys travel in. */
export const x25519KeyBytes = 32;

/**
 * A person's raw X25519 public key as a KeyObject node:crypto can agree with. The raw form is
 * what presence carries and manifests store; anything else is refused with `enclave.bad-member`,
 * since a key for no one would wrap a recording's key for no one.
 */
export function x25519PublicKey(raw: Uint8Array): KeyObject {
  if (!(raw instanceof Uint8Array) || raw.length !== x25519KeyBytes) {
    throw new DriverError('enclave.bad-member', `a member's public key is ${x25519KeyBytes} raw X25519 bytes, not ${raw instanceof Uint8Array ? `${raw.length} bytes` : typeof raw}`, {
      hint: 'give the last 32 bytes of the key\'s SPKI DER (or its JWK x), as the building makes them',
    });
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** The raw 32 bytes of an X25519 key (public, or the public half of a private one). */
export function rawX25519PublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'x25519') {
    throw new DriverError('driver.bad-option', `an X25519 key is needed, not ${publicKey.asymmetricKeyType ?? publicKey.type}`, { hint: "make people's keys with generateKeyPairSync('x25519')" });
  }
  const { x } = publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(x ?? '', 'base64url'));
}
