import { webcrypto, type KeyObject } from 'node:crypto';

/**
 * The WebCrypto form of an Ed25519 key, which @peculiar/x509 signs and reads with. Node 20 has
 * no KeyObject.toCryptoKey, so the key goes through its DER encoding (PKCS#8 or SPKI).
 */
export async function webCryptoKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  const algorithm = { name: 'Ed25519' };
  return key.type === 'private'
    ? webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign'])
    : webcrypto.subtle.importKey('spki', key.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']);
}
