import type { AudioFormat, Enclave, KeyHandle } from '../../drivers/index.js';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import { abiCodes } from './abiCodes.js';
import { driverStatus } from './driverStatus.js';
import type { HostModule } from './HostModule.js';
import type { KernelEpoch, KernelEpochAudio, KernelEpochEnd } from './KernelDevices.js';

const { status, logLevel } = abiCodes;

/** Seals a microphone's PCM into the epoch of one of the app's keys; `write` answers a Status (NotFound once the key is dropped). */
export interface AudioSealer {
  write(pcm: Int16Array): number;
  /** The microphone stopped recording: the epoch may take another. */
  release(): void;
}

export interface EnclaveHost {
  /** The enclave a device handle names, undefined when it names none. */
  enclave(handle: number): Enclave | undefined;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
  /**
   * The identity (a raw X25519 public key) of each person handle, in the same order, or
   * undefined when a handle names nobody (enclave.groupKey then answers BadArgument).
   */
  people(handles: readonly number[]): readonly Uint8Array[] | undefined;
  /** The public keys of the people present now: compared with an epoch's members, they tell why its key was dropped. */
  present(): readonly Uint8Array[];
  /**
   * Begins the key epoch of a group key just derived in the enclave `vault` (a device handle),
   * where what is sealed under it is kept; undefined when this board keeps nothing (the key
   * is then not given out: data sealed under it would have nowhere to go).
   */
  begin(vault: number, enclave: Enclave, key: KeyHandle, members: readonly Uint8Array[]): KernelEpoch | undefined;
  readonly log: (level: number, message: string) => void;
}

export interface EnclaveModule extends HostModule {
  /**
   * For audio.record: an AudioSealer for the app's key handle `key` in the enclave `vault`,
   * for a microphone of `format`, or the Status to answer (BadHandle: no such enclave;
   * NotFound: no such key in it; Busy: another microphone records under it).
   */
  readonly sealer: (vault: number, key: number, format: AudioFormat) => AudioSealer | number;
}

interface HeldKey {
  readonly vault: number;
  readonly enclave: Enclave;
  readonly enclaveKey: KeyHandle;
  readonly members: readonly Uint8Array[];
  readonly epoch: KernelEpoch;
}

/**
 * The `enclave` host module over the board's Enclave drivers. The app's key handles are this
 * module's own (1, 2, … for this instance), each mapped to the enclave, its key handle and the
 * key epoch the board's keeper began for it: deriving a group key begins an epoch (the key
 * wrapped there for each member), sealing goes into it, dropping the key ends it and destroys
 * the key. close() does the same for the keys the app still holds: their handles die with the
 * instance, and a key nobody can name would only use up a slot of the secure element.
 */
export function enclaveFunctions(host: EnclaveHost): EnclaveModule {
  const keys = new Map<number, HeldKey>();
  let nextKey = 1;

  const held = (vault: number, key: number): HeldKey | number => {
    if (host.enclave(vault) === undefined) return status.BadHandle;
    const entry = keys.get(key);
    return entry === undefined || entry.vault !== vault ? status.NotFound : entry;
  };

  const failed = (error: unknown, what: string): number => {
    if (isOsmoseError(error) && error.code === 'record.busy') return status.Busy;
    return driverStatus(error, what, host.log);
  };

  /** Ends the epoch while the key still lives (its derived record is sealed under it); the key is destroyed next. */
  const endEpoch = (key: number, entry: HeldKey, reason: KernelEpochEnd): void => {
    keys.delete(key);
    try {
      entry.epoch.end(reason);
    } catch (error) {
      host.log(logLevel.Error, `ending key epoch ${entry.epoch.id} of enclave ${entry.vault} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  /** Forgets a key that will not be used; it may already be gone with a closed driver. */
  const forget = (enclave: Enclave, key: KeyHandle): void => {
    try {
      enclave.destroyKey(key);
    } catch {
      // Already gone: the driver was closed (which forgets every key) or the key destroyed.
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
        let epoch: KernelEpoch | undefined;
        try {
          epoch = host.begin(handle, enclave, enclaveKey, identities);
        } catch (error) {
          forget(enclave, enclaveKey);
          return driverStatus(error, `beginning a key epoch in enclave ${handle}`, host.log);
        }
        if (epoch === undefined) {
          forget(enclave, enclaveKey);
          host.log(logLevel.Warn, `enclave ${handle}: this board keeps no recordings, so a group key would seal data that has nowhere to go; none given`);
          return status.Unavailable;
        }
        const key = nextKey++;
        keys.set(key, { vault: handle, enclave, enclaveKey, members: identities, epoch });
        return key;
      },
      'enclave.dropKey': (handle = 0, key = 0) => {
        const entry = held(handle, key);
        if (typeof entry === 'number') return entry;
        endEpoch(key, entry, whyDropped(entry.members, host.present()));
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
        if (data === undefined) return status.BadArgument;
        try {
          entry.epoch.seal(data);
          return status.Ok;
        } catch (error) {
          return failed(error, `sealing into enclave ${handle}`);
        }
      },
    },
    sealer: (vault, key, format) => {
      const entry = held(vault, key);
      if (typeof entry === 'number') return entry;
      let audio: KernelEpochAudio;
      try {
        audio = entry.epoch.audio(format);
      } catch (error) {
        return failed(error, `recording into enclave ${vault}`);
      }
      return {
        write: (pcm) => {
          if (keys.get(key) !== entry) return status.NotFound;
          try {
            audio.write(pcm);
            return status.Ok;
          } catch (error) {
            return failed(error, `sealing audio into enclave ${vault}`);
          }
        },
        release: () => audio.release(),
      };
    },
    close: () => {
      for (const [key, entry] of [...keys]) {
        endEpoch(key, entry, 'stopped');
        forget(entry.enclave, entry.enclaveKey);
      }
    },
  };
}

/** Why an app dropped a key, from who is present now: a member gone, someone new, or neither. */
function whyDropped(members: readonly Uint8Array[], present: readonly Uint8Array[]): KernelEpochEnd {
  const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');
  const here = new Set(present.map(hex));
  const group = new Set(members.map(hex));
  if ([...group].some((member) => !here.has(member))) return 'left';
  if ([...here].some((person) => !group.has(person))) return 'arrived';
  return 'dropped';
}
