import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Enclave } from '../enclave/Enclave.js';
import { unwrapKeyWith } from '../enclave/keyWrap.js';
import { openSealed } from '../enclave/openSealed.js';
import { rawX25519PublicKey } from '../enclave/x25519Keys.js';

export interface EnclaveHarness {
  readonly name: string;
  /**
   * Opens an enclave driver on device `device`. Opening the same device again is a restart:
   * derived keys must come back; another device must not share them.
   */
  open(device: 'first' | 'second'): Enclave;
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const alice = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const bob = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

/** A person as the building makes one: an X25519 pair, the public half raw. */
function person(): { readonly privateKey: KeyObject; readonly publicKey: Uint8Array } {
  const pair = generateKeyPairSync('x25519');
  return { privateKey: pair.privateKey, publicKey: rawX25519PublicKey(pair.publicKey) };
}

/** Every value reachable from `root` through own properties, to show no key bytes hang there. */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && 'value' in descriptor) walk(descriptor.value);
    }
  };
  walk(root);
  return [...seen];
}

/** Registers the enclave conformance tests for one driver+backend pair. */
export function enclaveConformance(harness: EnclaveHarness): void {
  describe(`enclave conformance: ${harness.name}`, () => {
    const opened: Enclave[] = [];
    const open = (device: 'first' | 'second' = 'first'): Enclave => {
      const enclave = harness.open(device);
      opened.push(enclave);
      return enclave;
    };
    afterEach(() => {
      for (const enclave of opened.splice(0)) enclave.close();
    });

    it('seals and opens data under a group key; the sealed bytes do not contain the data', () => {
      const vault = open();
      const key = vault.groupKey([alice, bob]);
      const secret = text('meeting notes: the budget is 42');
      const sealed = vault.seal(key, secret);
      expect(Buffer.from(sealed).includes(Buffer.from(secret))).toBe(false);
      expect(vault.open(key, sealed)).toEqual(secret);
    });

    it('seals the same data differently each time', () => {
      const vault = open();
      const key = vault.deriveKey('recordings');
      expect(vault.seal(key, text('x'))).not.toEqual(vault.seal(key, text('x')));
    });

    it('hands out keys only as numbers: no key bytes reachable from the driver or the handle', () => {
      const vault = open();
      const key = vault.groupKey([alice]);
      vault.deriveKey('logs');
      expect(typeof key).toBe('number');
      const leaks = reachable(vault).filter((value) => ArrayBuffer.isView(value) || value instanceof ArrayBuffer || inspect(value).includes('KeyObject'));
      expect(leaks).toEqual([]);
      expect(JSON.stringify(vault)).toBe('{}');
    });

    it('detects tampering with any byte of sealed data', () => {
      const vault = open();
      const key = vault.groupKey([alice]);
      const sealed = vault.seal(key, text('sixteen bytes!!!'));
      for (let index = 0; index < sealed.length; index++) {
        const changed = Uint8Array.from(sealed);
        changed[index] = (changed[index] ?? 0) ^ 0x01;
        expect(() => vault.open(key, changed), `byte ${index}`).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
      }
      expect(() => vault.open(key, sealed.subarray(0, sealed.length - 1))).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
      expect(() => vault.open(key, new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    });

    it('refuses to open under another key', () => {
      const vault = open();
      const sealed = vault.seal(vault.groupKey([alice]), text('for alice'));
      expect(() => vault.open(vault.groupKey([alice]), sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
      expect(() => vault.open(vault.groupKey([bob]), sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    });

    it('destroys a key for good: the handle is refused and a new key for the same group does not open old data', () => {
      const vault = open();
      const key = vault.groupKey([alice, bob]);
      const sealed = vault.seal(key, text('erase me'));
      vault.destroyKey(key);
      expect(() => vault.open(key, sealed)).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
      expect(() => vault.seal(key, text('x'))).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
      expect(() => vault.destroyKey(key)).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
      expect(() => vault.open(vault.groupKey([bob, alice]), sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    });

    it('derives the same key for a label after a restart, and not on another device', () => {
      const first = open('first');
      const sealed = first.seal(first.deriveKey('config'), text('kept'));
      first.close();
      const restarted = open('first');
      expect(restarted.open(restarted.deriveKey('config'), sealed)).toEqual(text('kept'));
      expect(() => restarted.open(restarted.deriveKey('other'), sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
      const stranger = open('second');
      expect(() => stranger.open(stranger.deriveKey('config'), sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    });

    it('refuses handles it did not give out and groups without members', () => {
      const vault = open();
      const other = open();
      other.deriveKey('x');
      const foreign = other.deriveKey('y');
      vault.deriveKey('x');
      expect(() => vault.seal(foreign, text('x'))).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
      expect(() => vault.groupKey([])).toThrow(expect.objectContaining({ code: 'enclave.bad-member' }));
      expect(() => vault.groupKey([new Uint8Array()])).toThrow(expect.objectContaining({ code: 'enclave.bad-member' }));
    });

    it('wraps a group key for each member: their private key unwraps it and it opens what the enclave sealed, outside the enclave', () => {
      const vault = open();
      const [carol, dave] = [person(), person()];
      const key = vault.groupKey([carol.publicKey, dave.publicKey]);
      const sealed = vault.seal(key, text('what carol and dave said'));
      const epoch = text('epoch 1');
      for (const member of [carol, dave]) {
        const unwrapped = unwrapKeyWith(member.privateKey, vault.wrapKey(key, member.publicKey, epoch), epoch);
        expect(unwrapped).toHaveLength(32);
        expect(openSealed(unwrapped, sealed)).toEqual(text('what carol and dave said'));
      }
      // Fresh ephemeral keys: the same key wrapped twice for the same person differs.
      expect(vault.wrapKey(key, carol.publicKey, epoch)).not.toEqual(vault.wrapKey(key, carol.publicKey, epoch));
    });

    it('a wrapped key opens for nobody else, under no other context, and not once changed', () => {
      const vault = open();
      const [carol, eve] = [person(), person()];
      const key = vault.groupKey([carol.publicKey]);
      const wrapped = vault.wrapKey(key, carol.publicKey, text('epoch 1'));
      expect(() => unwrapKeyWith(eve.privateKey, wrapped, text('epoch 1'))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      expect(() => unwrapKeyWith(carol.privateKey, wrapped, text('epoch 2'))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      for (let index = 0; index < wrapped.length; index++) {
        const changed = Uint8Array.from(wrapped);
        changed[index] = (changed[index] ?? 0) ^ 0x01;
        expect(() => unwrapKeyWith(carol.privateKey, changed, text('epoch 1')), `byte ${index}`).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      }
      expect(() => unwrapKeyWith(carol.privateKey, wrapped.subarray(1), text('epoch 1'))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
    });

    it('never wraps a device-bound key, a destroyed key, or for what is not an X25519 public key', () => {
      const vault = open();
      const carol = person();
      expect(() => vault.wrapKey(vault.deriveKey('config'), carol.publicKey, text('x'))).toThrow(expect.objectContaining({ code: 'enclave.not-wrappable' }));
      const key = vault.groupKey([carol.publicKey]);
      expect(() => vault.wrapKey(key, new Uint8Array(31), text('x'))).toThrow(expect.objectContaining({ code: 'enclave.bad-member' }));
      // The all-zero point agrees on zero with everyone: a key wrapped for it would be open to all.
      expect(() => vault.wrapKey(key, new Uint8Array(32), text('x'))).toThrow(expect.objectContaining({ code: 'enclave.bad-member' }));
      vault.destroyKey(key);
      expect(() => vault.wrapKey(key, carol.publicKey, text('x'))).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
      vault.close();
      expect(() => vault.wrapKey(key, carol.publicKey, text('x'))).toThrow(expect.objectContaining({ code: 'driver.closed' }));
    });

    it('refuses every call after close, and closing twice is harmless; keys die with it', () => {
      const vault = open();
      const key = vault.deriveKey('x');
      vault.close();
      vault.close();
      expect(() => vault.deriveKey('x')).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => vault.groupKey([alice])).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => vault.seal(key, text('x'))).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => vault.open(key, new Uint8Array(40))).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => vault.destroyKey(key)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
    });
  });
}
