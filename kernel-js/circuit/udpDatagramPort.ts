import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { parseGatewayAddress, type GatewayAddress } from '../agent/parseGatewayAddress.js';
import { KernelError } from '../KernelError.js';
import type { DatagramListener, DatagramPort } from './DatagramPort.js';
import { formatHostPort } from '../agent/formatHostPort.js';

export interface UdpDatagramPortOptions {
  /**
   * Told of a datagram the operating system would not send (no route, a too-large datagram).
   * UDP gives no other sign of loss, so by default these are dropped like any lost datagram.
   */
  readonly onSendError?: (error: Error, to: string) => void;
}

/**
 * A board's circuit port: one UDP socket bound to `bind` (`HOST:PORT`; port 0 takes any free
 * port, which `address` then tells). Resolves once the socket is bound, so a peer's first
 * datagram cannot arrive before the board listens; refuses an address already in use with
 * `circuit.port-bind`.
 */
export async function udpDatagramPort(bind: string, options: UdpDatagramPortOptions = {}): Promise<DatagramPort> {
  const local = parseGatewayAddress(bind, 'circuit port', true);
  const socket = createSocket({ type: isIP(local.host) === 6 ? 'udp6' : 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(local.port, local.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    socket.close();
    throw new KernelError('circuit.port-bind', `cannot bind the circuit port ${bind}: ${(error as Error).message}`, {
      hint: 'another process holds the port, or the address is not one of this machine; give another --circuits address',
      data: { bind },
      cause: error,
    });
  }
  const bound = socket.address();
  const address = formatHostPort(bound.address, bound.port);
  // A socket with no error listener would take the process down with it; send errors reach
  // send's callback, so anything here is the socket failing under us, and it stays quiet
  // like a lost datagram.
  socket.on('error', () => undefined);

  const listeners = new Set<DatagramListener>();
  socket.on('message', (message, from) => {
    const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    const sender = formatHostPort(from.address, from.port);
    for (const listener of [...listeners]) listener(bytes, sender);
  });

  // Peers are a handful of fixed addresses: parse each once, not at every action.
  const peers = new Map<string, GatewayAddress>();
  let closed: Promise<void> | undefined;
  return {
    address,
    send(to, bytes) {
      if (closed !== undefined) return;
      let peer = peers.get(to);
      if (peer === undefined) {
        peer = parseGatewayAddress(to, 'circuit peer');
        peers.set(to, peer);
      }
      socket.send(bytes, peer.port, peer.host, (error) => {
        if (error !== null && error !== undefined) options.onSendError?.(error, to);
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
      closed ??= new Promise<void>((resolve) => {
        listeners.clear();
        socket.close(() => resolve());
      });
      return closed;
    },
  };
}
