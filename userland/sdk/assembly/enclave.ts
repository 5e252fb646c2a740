import { Person, Status } from "./codes";
import { Device } from "./device";
import { enclave_dropKey, enclave_groupKey, enclave_seal } from "./host";

/**
 * Sealed storage (driver enclave). Keys stay inside: the app holds key handles (i32), never
 * key bytes, so a compromised app cannot leak them.
 */
export class Enclave extends Device {
  /** A key for exactly these people; returns its handle, or a negative Status. */
  groupKey(people: StaticArray<Person>): i32 {
    return this.handle < 0 ? this.handle : enclave_groupKey(this.handle, changetype<usize>(people), people.length);
  }

  dropKey(key: i32): Status {
    return this.handle < 0 ? this.handle : enclave_dropKey(this.handle, key);
  }

  /** Stores data encrypted under a key; kept and disclosed as the app's policy says. */
  seal(key: i32, data: Uint8Array): Status {
    return this.handle < 0 ? this.handle : enclave_seal(this.handle, key, data.dataStart, data.byteLength);
  }
}

export namespace enclave {
  export function open(alias: string): Enclave { return new Enclave(alias); }
}
