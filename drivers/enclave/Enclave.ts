/**
 * A key held inside an enclave. Only a number: the key's bytes never leave the enclave, so
 * a handle is useless anywhere else (another enclave refuses it with `enclave.no-key`).
 */
export type KeyHandle = number;

/** The one interface of the enclave class: sealed data and keys that never leave. */
export interface Enclave {
  /**
   * A fresh key for a group, bound to its members' public keys (order and repeats do not
   * matter). Fresh each time: once destroyed, it cannot be made again, which is how a
   * recording is erased.
   */
  groupKey(memberPublicKeys: readonly Uint8Array[]): KeyHandle;
  /**
   * A group key wrapped for one person (a raw 32-byte X25519 public key), bound to `context`
   * (the epoch it keys), as wrapKeyFor makes it: only that person's private key takes it out,
   * so they can read what was sealed under it anywhere, while the key's bytes never leave the
   * enclave any other way. Only group keys wrap: a device-bound key is refused with
   * `enclave.not-wrappable`.
   */
  wrapKey(key: KeyHandle, recipient: Uint8Array, context: Uint8Array): Uint8Array;
  /** A key derived from the device key and a label: the same label gives the same key on this device, across restarts. */
  deriveKey(label: string): KeyHandle;
  /** Encrypts and authenticates `data` under `key`; the result is safe to store anywhere. */
  seal(key: KeyHandle, data: Uint8Array): Uint8Array;
  /** Opens what `seal` made; a changed byte or another key fails with `enclave.tampered`. */
  open(key: KeyHandle, sealed: Uint8Array): Uint8Array;
  /** Forgets a key; later use of the handle fails with `enclave.no-key`. */
  destroyKey(key: KeyHandle): void;
  /** Forgets every key. Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): void;
}
