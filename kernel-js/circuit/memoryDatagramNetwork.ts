import { parseGatewayAddress } from '../agent/parseGatewayAddress.js';
import { KernelError } from '../KernelError.js';
import type { DatagramListener, DatagramPort } from './DatagramPort.js';
import { formatHostPort } from '../agent/formatHostPort.js';

/** In-process datagram ports that reach each other by address. */
export interface MemoryDatagramNetwork {
  /** A port bound to `address` (`HOST:PORT`); refuses an address already bound with `circuit.address-in-use`. */
  port(address: string): DatagramPort;
}

/**
 * A network inside one process, for the simulator, where a building's boards share a process
 * and should not each hold a UDP socket. A datagram goes to whichever port is bound at its
 * destination when it is delivered, in a later microtask (as a socket would never call back
 * within send), in the order sent; with no port there, it is lost, as over UDP.
 */
export function memoryDatagramNetwork(): MemoryDatagramNetwork {
  const bound = new Map<string, Set<DatagramListener>>();
  const normal = (address: string, what: string): string => {
    const parsed = parseGatewayAddress(address, what);
    return formatHostPort(parsed.host, parsed.port);
  };
  return {
    port(requested) {
      const address = normal(requested, 'memory circuit port');
      if (bound.has(address)) {
        throw new KernelError('circuit.address-in-use', `the memory network already has a port at ${address}`, {
          hint: "give each board of the simulated building its own circuit address, or close the old port first",
          data: { address },
        });
      }
      const listeners = new Set<DatagramListener>();
      bound.set(address, listeners);
      const peers = new Map<string, string>();
      let closed = false;
      return {
        address,
        send(to, bytes) {
          if (closed) return;
          let peer = peers.get(to);
          if (peer === undefined) {
            peer = normal(to, 'circuit peer');
            peers.set(to, peer);
          }
          const copy = Uint8Array.from(bytes);
          const destination = peer;
          queueMicrotask(() => {
            const there = bound.get(destination);
            if (there === undefined) return;
            for (const listener of [...there]) listener(Uint8Array.from(copy), address);
          });
        },
        onDatagram(listener) {
          const own: DatagramListener = (bytes, from) => listener(bytes, from);
          listeners.add(own);
          return () => {
            listeners.delete(own);
          };
        },
        close() {
          if (!closed) {
            closed = true;
            listeners.clear();
            if (bound.get(address) === listeners) bound.delete(address);
          }
          return Promise.resolve();
        },
      };
    },
  };
}
