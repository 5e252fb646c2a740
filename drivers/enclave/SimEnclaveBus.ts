import { createCipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { DriverError } from '../DriverError.js';
import type { EnclaveBus } from './EnclaveBus.js';
import { wrapKeyFor } from './keyWrap.js';
import { openSealed } from './openSealed.js';
import { sealedFormat } from './sealedFormat.js';

const { version, ivBytes } = sealedFormat;

interface Slot {
  readonly key: KeyObject;
  /** Group keys are wrapped for their members; device-bound keys never leave. */
  readonly wrappable: boolean;
}

/**
 * A simulated secure element. Its device key is bound to this simulated device: given once
 * (`deviceSecret`, so a sim board keeps its keys across restarts) or drawn at random, and held
 * only as a KeyObject in a #private field. Every key is derived from it with HKDF-SHA-256 and
 * data is sealed with AES-256-GCM in the layout of sealedFormat, which openSealed reads.
 */
export class SimEnclaveBus implements EnclaveBus {
  readonly #deviceKey: KeyObject;
  readonly #keys = new Map<number, Slot>();
  #next = 1;

  constructor(options: { readonly deviceSecret?: Uint8Array } = {}) {
    const secret = options.deviceSecret ?? randomBytes(32);
    if (secret.length < 32) throw new DriverError('driver.bad-option', 'a device secret is at least 32 bytes');
    this.#deviceKey = createSecretKey(Buffer.from(secret));
  }

  freshKey(context: Uint8Array): number {
    return this.#store(this.#derive(randomBytes(32), Buffer.concat([Buffer.from('osmose group key v1\0'), context])), true);
  }

  derivedKey(label: string): number {
    return this.#store(this.#derive(Buffer.alloc(0), Buffer.from(`osmose derived key v1\0${label}`)), false);
  }

  wrap(slot: number, recipient: Uint8Array, context: Uint8Array): Uint8Array {
    const held = this.#slot(slot);
    if (!held.wrappable) {
      throw new DriverError('enclave.not-wrappable', `the key in slot ${slot} is bound to this device and never leaves it; only group keys are wrapped for people`, { data: { slot } });
    }
    const bytes = held.key.export();
    try {
      return wrapKeyFor(bytes, recipient, context);
    } finally {
      bytes.fill(0);
    }
  }

  seal(slot: number, data: Uint8Array): Uint8Array {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.#slot(slot).key, iv);
    cipher.setAAD(Uint8Array.of(version));
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([Uint8Array.of(version), iv, cipher.getAuthTag(), body]);
  }

  open(slot: number, sealed: Uint8Array): Uint8Array {
    return openSealed(this.#slot(slot).key, sealed);
  }

  destroy(slot: number): void {
    this.#keys.delete(slot);
  }

  #derive(salt: Uint8Array, info: Uint8Array): KeyObject {
    const bytes = Buffer.from(hkdfSync('sha256', this.#deviceKey, salt, info, 32));
    const key = createSecretKey(bytes);
    bytes.fill(0);
    return key;
  }

  #store(key: KeyObject, wrappable: boolean): number {
    const slot = this.#next++;
    this.#keys.set(slot, { key, wrappable });
    return slot;
  }

  #slot(slot: number): Slot {
    const held = this.#keys.get(slot);
    if (held === undefined) throw new DriverError('enclave.no-key', `the enclave has no key in slot ${slot}`, { data: { slot } });
    return held;
  }
}
