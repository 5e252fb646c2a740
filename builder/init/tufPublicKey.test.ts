import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tufPublicKey } from './tufPublicKey.js';

// RFC 8032, section 7.1, test 1.
const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const publicHex = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const rfcKey = createPrivateKey({
  key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed, 'hex').toString('base64url'), x: Buffer.from(publicHex, 'hex').toString('base64url') },
  format: 'jwk',
});

describe('tufPublicKey', () => {
  it('gives the raw public key in hex and the SHA-256 of the canonical key object as key id', () => {
    const { keyid, key } = tufPublicKey(rfcKey);
    expect(key).toEqual({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicHex } });
    // Canonical JSON written out by hand: keys sorted, no spaces.
    const canonical = `{"keytype":"ed25519","keyval":{"public":"${publicHex}"},"scheme":"ed25519"}`;
    expect(keyid).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('gives the same answer for a private key and its public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    expect(tufPublicKey(publicKey)).toEqual(tufPublicKey(privateKey));
    expect(tufPublicKey(createPublicKey(rfcKey)).key.keyval.public).toBe(publicHex);
  });

  it('refuses a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => tufPublicKey(privateKey)).toThrow(expect.objectContaining({ code: 'keys.not-ed25519' }));
  });
});
