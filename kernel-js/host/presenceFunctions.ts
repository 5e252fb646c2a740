import { abiCodes } from './abiCodes.js';
import type { HostModule } from './HostModule.js';
import type { KernelPresence } from './KernelPresence.js';
import type { WasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event } = abiCodes;

export interface PresenceHost extends WasmMemoryAccess {
  readonly presence: KernelPresence;
  readonly raise: (kind: number, source: number, value: number) => void;
}

/**
 * The `presence` host module: how many people are in the space, their handles, and where
 * each is expected. Arrivals and departures become Arrived and Left events (source: the
 * person, value: how many are present after it).
 */
export function presenceFunctions(host: PresenceHost): HostModule {
  const stop = host.presence.onChange(({ person, arrived, present }) => host.raise(arrived ? event.Arrived : event.Left, person, present));
  return {
    functions: {
      'presence.count': () => host.presence.people().length,
      'presence.list': (outPtr = 0, outCount = 0) => {
        if (outCount < 0) return status.BadArgument;
        const people = host.presence.people();
        const shown = people.slice(0, outCount);
        const bytes = new Uint8Array(shown.length * 4);
        const view = new DataView(bytes.buffer);
        shown.forEach((person, index) => view.setInt32(index * 4, person, true));
        if (shown.length > 0 && !host.write(outPtr, bytes)) return status.BadArgument;
        return people.length;
      },
      'presence.destination': (person = 0, bufPtr = 0, bufCap = 0) => {
        if (!host.presence.people().includes(person)) return status.NotFound;
        const destination = host.presence.destination(person);
        if (destination === undefined) return status.NotFound;
        const encoded = new TextEncoder().encode(destination);
        if (encoded.length <= bufCap && !host.write(bufPtr, encoded)) return status.BadArgument;
        return encoded.length;
      },
    },
    close: stop,
  };
}
