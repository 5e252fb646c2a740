import { createHash } from 'node:crypto';
import { closedError, DriverError } from '../DriverError.js';
import type { Enclave, KeyHandle } from './Enclave.js';
import type { EnclaveBus } from './EnclaveBus.js';

export interface VaultEnclaveOptions {
  /** The secure element; the driver never holds key bytes itself. */
  readonly bus: EnclaveBus;
}

/**
 * Sealed storage and keys (driver enclave). The driver owns the handles it gave out: a handle
 * from another enclave, or one already destroyed, is refused even if the bus would know the slot.
 */
export class VaultEnclave implements Enclave {
  readonly #bus: EnclaveBus;
  readonly #slots = new Map<KeyHandle, number>();
  #next = 1;
  #closed = false;

  constructor(options: VaultEnclaveOptions) {
    this.#bus = options.bus;
  }

  groupKey(memberPublicKeys: readonly Uint8Array[]): KeyHandle {
    this.#assertOpen();
    if (!Array.isArray(memberPublicKeys) || memberPublicKeys.length === 0) {
      throw new DriverError('enclave.bad-member', 'a group key needs at least one member public key');
    }
    const members = new Map<string, Uint8Array>();
    memberPublicKeys.forEach((key, index) => {
      if (!(key instanceof Uint8Array) || key.length === 0) {
        throw new DriverError('enclave.bad-member', `member ${index} is not a public key (non-empty bytes)`, { data: { index } });
      }
      members.set(Buffer.from(key).toString('hex'), key);
    });
    // Sorted and deduplicated, so the same group gives the same context in any order.
    const digest = createHash('sha256');
    for (const hex of [...members.keys()].sort()) {
      const key = members.get(hex) ?? new Uint8Array();
      digest.update(Uint8Array.of(key.length >>> 8, key.length & 0xff)).update(key);
    }
    return this.#hand(this.#bus.freshKey(digest.digest()));
  }

  wrapKey(key: KeyHandle, recipient: Uint8Array, context: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (!(recipient instanceof Uint8Array) || recipient.length !== 32) {
      throw new DriverError('enclave.bad-member', 'a key is wrapped for a raw 32-byte X25519 public key', { hint: 'pass the person\'s public key as presence gives it' });
    }
    assertBytes(context, 'a key wrap\'s context');
    return this.#bus.wrap(this.#slot(key), recipient, context);
  }

  deriveKey(label: string): KeyHandle {
    this.#assertOpen();
    if (typeof label !== 'string' || label.length === 0) {
      throw new DriverError('driver.bad-option', 'a derived key needs a non-empty label');
    }
    return this.#hand(this.#bus.derivedKey(label));
  }

  seal(key: KeyHandle, data: Uint8Array): Uint8Array {
    this.#assertOpen();
    assertBytes(data, 'data to seal');
    return this.#bus.seal(this.#slot(key), data);
  }

  open(key: KeyHandle, sealed: Uint8Array): Uint8Array {
    this.#assertOpen();
    assertBytes(sealed, 'sealed data');
    return this.#bus.open(this.#slot(key), sealed);
  }

  destroyKey(key: KeyHandle): void {
    this.#assertOpen();
    const slot = this.#slot(key);
    this.#slots.delete(key);
    this.#bus.destroy(slot);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots.values()) this.#bus.destroy(slot);
    this.#slots.clear();
  }

  #hand(slot: number): KeyHandle {
    const handle = this.#next++;
    this.#slots.set(handle, slot);
    return handle;
  }

  #slot(key: KeyHandle): number {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      throw new DriverError('enclave.no-key', `this enclave holds no key ${String(key)}`, {
        hint: 'the key was destroyed, or the handle comes from another enclave',
        data: { key: String(key) },
      });
    }
    return slot;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('enclave');
  }
}

function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new DriverError('driver.bad-frame', `${what} must be bytes (a Uint8Array)`);
}
