import { abiCodes } from './abiCodes.js';
import { decodeUtf8 } from './decodeUtf8.js';
import type { HostModule } from './HostModule.js';
import type { KernelPresence } from './KernelPresence.js';
import type { WasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event } = abiCodes;

export interface PresenceHost extends WasmMemoryAccess {
  readonly presence: KernelPresence;
  readonly raise: (kind: number, source: number, value: number) => void;
}

/**
 * The `presence` host module: who is in the space and who is on their way to it (as handles),
 * where each is expected, and what each prefers. Arrivals and departures become Arrived and
 * Left events (source: the person, value: how many are present after it); someone expected
 * or no longer expected becomes Expected or NotExpected (value: how many are expected after
 * it), so an app can ready the room before anyone is in it.
 */
export function presenceFunctions(host: PresenceHost): HostModule {
  const stop = host.presence.onChange(({ person, arrived, coming, present, expected }) => {
    if (coming) host.raise(arrived ? event.Expected : event.NotExpected, person, expected);
    else host.raise(arrived ? event.Arrived : event.Left, person, present);
  });
  /** Writes up to `outCount` handles of `people` as i32s; answers how many there are. */
  const list = (people: readonly number[], outPtr: number, outCount: number): number => {
    if (outCount < 0) return status.BadArgument;
    const shown = people.slice(0, outCount);
    const bytes = new Uint8Array(shown.length * 4);
    const view = new DataView(bytes.buffer);
    shown.forEach((person, index) => view.setInt32(index * 4, person, true));
    if (shown.length > 0 && !host.write(outPtr, bytes)) return status.BadArgument;
    return people.length;
  };
  return {
    functions: {
      'presence.count': () => host.presence.people().length,
      'presence.list': (outPtr = 0, outCount = 0) => list(host.presence.people(), outPtr, outCount),
      'presence.expected': (outPtr = 0, outCount = 0) => list(host.presence.expected(), outPtr, outCount),
      'presence.destination': (person = 0, bufPtr = 0, bufCap = 0) => {
        if (!host.presence.people().includes(person)) return status.NotFound;
        const destination = host.presence.destination(person);
        if (destination === undefined) return status.NotFound;
        const encoded = new TextEncoder().encode(destination);
        if (encoded.length <= bufCap && !host.write(bufPtr, encoded)) return status.BadArgument;
        return encoded.length;
      },
      'presence.preference': (person = 0, namePtr = 0, nameLen = 0) => {
        const bytes = host.bytes(namePtr, nameLen);
        const name = bytes === undefined ? undefined : decodeUtf8(bytes);
        if (name === undefined) return status.BadArgument;
        const value = host.presence.preference(person, name);
        // A preference is positive; anything else would read as a status.
        return value === undefined || !Number.isInteger(value) || value < 0 || value > 0x7fff_ffff ? status.NotFound : value;
      },
    },
    close: stop,
  };
}
