import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import { OsmoseError } from '../../lib/OsmoseError.js';

/** A public key as TUF metadata lists it. */
export interface TufKey {
  readonly keytype: 'ed25519';
  readonly scheme: 'ed25519';
  readonly keyval: { readonly public: string };
}

/**
 * The TUF form of an Ed25519 key (given its public or its private half): the raw 32-byte
 * public key in hex, and its key id, the SHA-256 of the key object's canonical JSON, which
 * is how TUF clients compute it.
 */
export function tufPublicKey(key: KeyObject): { readonly keyid: string; readonly key: TufKey } {
  const type = key.asymmetricKeyType ?? key.type;
  if (type !== 'ed25519') {
    throw new OsmoseError('keys.not-ed25519', `expected an Ed25519 key, not ${type}`, { data: { type } });
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  const tufKey: TufKey = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: Buffer.from(x ?? '', 'base64url').toString('hex') } };
  return { keyid: createHash('sha256').update(canonicalize(tufKey)).digest('hex'), key: tufKey };
}
