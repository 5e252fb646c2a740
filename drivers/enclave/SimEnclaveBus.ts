import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { DriverError } from '../DriverError.js';
import type { EnclaveBus } from './EnclaveBus.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A simulated secure element. Its device key is bound to this simulated device: given once
 * (`deviceSecret`, so a sim board keeps its keys across restarts) or drawn at random, and held
 * only as a KeyObject in a #private field. Every key is derived from it with HKDF-SHA-256 and
 * data is sealed with AES-256-GCM: version byte ‖ 12-byte IV ‖ 16-byte tag ‖ ciphertext, the
 * version byte authenticated as associated data.
 */
export class SimEnclaveBus implements EnclaveBus {
  readonly #deviceKey: KeyObject;
  readonly #keys = new Map<number, KeyObject>();
  #next = 1;

  constructor(options: { readonly deviceSecret?: Uint8Array } = {}) {
    const secret = options.deviceSecret ?? randomBytes(32);
    if (secret.length < 32) throw new DriverError('driver.bad-option', 'a device secret is at least 32 bytes');
    this.#deviceKey = createSecretKey(Buffer.from(secret));
  }

  freshKey(context: Uint8Array): number {
    return this.#store(this.#derive(randomBytes(32), Buffer.concat([Buffer.from('osmose group key v1\0'), context])));
  }

  derivedKey(label: string): number {
    return this.#store(this.#derive(Buffer.alloc(0), Buffer.from(`osmose derived key v1\0${label}`)));
  }

  seal(slot: number, data: Uint8Array): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(slot), iv);
    cipher.setAAD(Uint8Array.of(VERSION));
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([Uint8Array.of(VERSION), iv, cipher.getAuthTag(), body]);
  }

  open(slot: number, sealed: Uint8Array): Uint8Array {
    const key = this.#key(slot);
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw tampered();
    const bytes = Buffer.from(sealed);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Uint8Array.of(VERSION));
      decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]));
    } catch (cause) {
      throw tampered(cause);
    }
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

  #store(key: KeyObject): number {
    const slot = this.#next++;
    this.#keys.set(slot, key);
    return slot;
  }

  #key(slot: number): KeyObject {
    const key = this.#keys.get(slot);
    if (key === undefined) throw new DriverError('enclave.no-key', `the enclave has no key in slot ${slot}`, { data: { slot } });
    return key;
  }
}

function tampered(cause?: unknown): DriverError {
  return new DriverError('enclave.tampered', 'sealed data does not open: it was changed, or sealed under another key', {
    ...(cause === undefined ? {} : { cause }),
  });
}
