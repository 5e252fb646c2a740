// Sealed storage. Imported as one namespace (`enclave.open("vault")`), with Enclave also
// exported on its own, as in the AssemblyScript SDK.
import type { Person, Status } from './codes.js';
import { Device } from './device.js';
import { enclave_dropKey, enclave_groupKey, enclave_seal } from './host.js';

/**
 * Sealed storage (driver enclave). Keys stay inside: the app holds key handles (numbers),
 * never key bytes, so a compromised app cannot leak them.
 */
export class Enclave extends Device {
  /** A key for exactly these people; returns its handle, or a negative Status. */
  groupKey(people: readonly Person[]): number {
    return this.handle < 0 ? this.handle : enclave_groupKey(this.handle, people);
  }

  /** Destroys a key: what was sealed under it stays readable only to the people it was derived for. */
  dropKey(key: number): Status {
    return this.handle < 0 ? this.handle : enclave_dropKey(this.handle, key);
  }

  /** Stores data encrypted under a key; kept and disclosed as the app's policy says. */
  seal(key: number, data: Uint8Array): Status {
    return this.handle < 0 ? this.handle : enclave_seal(this.handle, key, data);
  }
}

/** Opens the enclave bound to a need. */
export function open(alias: string): Enclave { return new Enclave(alias); }
