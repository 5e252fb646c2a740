import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unwrapKeyWith, wrapKeyFor } from './keyWrap.js';
import { openSealed } from './openSealed.js';
import { SimEnclaveBus } from './SimEnclaveBus.js';
import { rawX25519PublicKey, x25519PublicKey } from './x25519Keys.js';

const context = new TextEncoder().encode('20261127T100000000Z-0123456789abcdef');

describe('key wrapping', () => {
  it('takes people\'s keys in the raw form the building makes: the last 32 bytes of the SPKI DER', () => {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const raw = rawX25519PublicKey(publicKey);
    expect(raw).toEqual(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }).subarray(-32)));
    expect(rawX25519PublicKey(privateKey)).toEqual(raw);
    expect(x25519PublicKey(raw).equals(createPublicKey(privateKey))).toBe(true);
    expect(() => rawX25519PublicKey(generateKeyPairSync('ed25519').publicKey)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
  });

  it('wraps a key into 93 versioned bytes that only the recipient\'s private key and the same context unwrap', () => {
    const alice = generateKeyPairSync('x25519');
    const key = randomBytes(32);
    const wrapped = wrapKeyFor(key, rawX25519PublicKey(alice.publicKey), context);
    expect(wrapped).toHaveLength(93);
    expect(wrapped[0]).toBe(1);
    expect(Buffer.from(wrapped).includes(key.subarray(0, 8))).toBe(false);
    expect(unwrapKeyWith(alice.privateKey, wrapped, context)).toEqual(new Uint8Array(key));
    expect(() => unwrapKeyWith(alice.privateKey, wrapped, new Uint8Array())).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
    expect(() => wrapKeyFor(key.subarray(1), rawX25519PublicKey(alice.publicKey), context)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    expect(() => unwrapKeyWith(generateKeyPairSync('ed25519').privateKey, wrapped, context)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
  });

  it('opens what the simulated enclave sealed with the unwrapped key, and nothing with a key of the wrong size', () => {
    const bus = new SimEnclaveBus();
    const alice = generateKeyPairSync('x25519');
    const slot = bus.freshKey(new Uint8Array(32));
    const sealed = bus.seal(slot, new TextEncoder().encode('hello'));
    const key = unwrapKeyWith(alice.privateKey, bus.wrap(slot, rawX25519PublicKey(alice.publicKey), context), context);
    expect(new TextDecoder().decode(openSealed(key, sealed))).toBe('hello');
    expect(() => openSealed(key.subarray(0, 16), sealed)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
  });
});
