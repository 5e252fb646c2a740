import type { Enclave, KeyHandle } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { driverStatus } from './driverStatus.js';
import type { HostModule } from './HostModule.js';

const { status } = abiCodes;

/** Seals data into an enclave under a key the app holds, and keeps it; answers a Status. */
export type Sealer = (data: Uint8Array) => number;

export interface EnclaveHost {
  /** The enclave a device handle names, undefined when it names none. */
  enclave(handle: number): Enclave | undefined;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
  /**
   * The seam to presence, which the shim does not implement yet: the identity (a public key,
   * non-empty bytes) of each person handle, in the same order, or undefined when a handle
   * names nobody (enclave.groupKey then answers BadArgument). The person handles are taken
   * as given until presence can vouch for them; tests and the simulator pass a fixed table.
   */
  people(handles: readonly number[]): readonly Uint8Array[] | undefined;
  /**
   * Keeps what enclave.seal and audio.record sealed. `key` is the enclave's own key handle
   * (not the app's), so the keeper can open the data through the driver while the key lives;
   * retaining and disclosing it as the app's policy says is the keeper's business.
   */
  store(vault: number, key: KeyHandle, sealed: Uint8Array): void;
  readonly log: (level: number, message: string) => void;
}

export interface EnclaveModule extends HostModule {
  /**
   * For audio.record: a Sealer for the app's key handle `key` in the enclave `vault`, or the
   * Status to answer (BadHandle: no such enclave; NotFound: no such key in it). The Sealer
   * answers NotFound once the key is dropped.
   */
  readonly sealer: (vault: number, key: number) => Sealer | number;
}

interface HeldKey {
  readonly vault: number;
  readonly enclave: Enclave;
  readonly enclaveKey: KeyHandle;
}

/**
 * The `enclave` host module over the board's Enclave drivers. The app's key handles are this
 * module's own (1, 2, … for this instance), each mapped to the enclave and its key handle, so
 * an app never names a key another instance made. close() destroys the keys the app still
 * holds: their handles die with the instance, and a key nobody can name would only use up a
 * slot of the secure element.
 */
export function enclaveFunctions(host: EnclaveHost): EnclaveModule {
  const keys = new Map<number, HeldKey>();
  let nextKey = 1;

  const held = (vault: number, key: number): HeldKey | number => {
    if (host.enclave(vault) === undefined) return status.BadHandle;
    const entry = keys.get(key);
    return entry === undefined || entry.vault !== vault ? status.NotFound : entry;
  };

  const seal = (entry: HeldKey, data: Uint8Array): number => {
    try {
      host.store(entry.vault, entry.enclaveKey, entry.enclave.seal(entry.enclaveKey, data));
      return status.Ok;
    } catch (error) {
      return driverStatus(error, `sealing into enclave ${entry.vault}`, host.log);
    }
  };

  return {
    functions: {
      'enclave.groupKey': (handle = 0, ptr = 0, count = 0) => {
        const enclave = host.enclave(handle);
        if (enclave === undefined) return status.BadHandle;
        if (!Number.isInteger(count) || count < 1) return status.BadArgument;
        const bytes = host.bytes(ptr, count * 4);
        if (bytes === undefined) return status.BadArgument;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const persons = Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
        const identities = host.people(persons);
        if (identities?.length !== count) return status.BadArgument;
        let enclaveKey: KeyHandle;
        try {
          enclaveKey = enclave.groupKey(identities);
        } catch (error) {
          return driverStatus(error, `deriving a group key in enclave ${handle}`, host.log);
        }
        const key = nextKey++;
        keys.set(key, { vault: handle, enclave, enclaveKey });
        return key;
      },
      'enclave.dropKey': (handle = 0, key = 0) => {
        const entry = held(handle, key);
        if (typeof entry === 'number') return entry;
        keys.delete(key);
        try {
          entry.enclave.destroyKey(entry.enclaveKey);
          return status.Ok;
        } catch (error) {
          return driverStatus(error, `dropping key ${key} of enclave ${handle}`, host.log);
        }
      },
      'enclave.seal': (handle = 0, key = 0, ptr = 0, len = 0) => {
        const entry = held(handle, key);
        if (typeof entry === 'number') return entry;
        const data = host.bytes(ptr, len);
        return data === undefined ? status.BadArgument : seal(entry, data);
      },
    },
    sealer: (vault, key) => {
      const entry = held(vault, key);
      if (typeof entry === 'number') return entry;
      return (data) => (keys.get(key) === entry ? seal(entry, data) : status.NotFound);
    },
    close: () => {
      for (const [key, entry] of [...keys]) {
        keys.delete(key);
        try {
          entry.enclave.destroyKey(entry.enclaveKey);
        } catch {
          // Already gone: the driver was closed (which forgets every key) or the key destroyed.
        }
      }
    },
  };
}
