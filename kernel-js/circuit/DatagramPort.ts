/** Called with each datagram a port receives and the `HOST:PORT` it came from. */
export type DatagramListener = (bytes: Uint8Array, from: string) => void;

/**
 * Where a board's circuits send and receive datagrams: a UDP socket on a real board, an
 * in-process port when the simulator runs many boards in one process. Like UDP, it neither
 * confirms nor orders delivery; a datagram to an address nobody is bound to is lost.
 */
export interface DatagramPort {
  /** The `HOST:PORT` this port is bound to (the real port when it was bound to port 0). */
  readonly address: string;
  /** Sends `bytes` to `address` (`HOST:PORT`); returns at once and keeps no reference to `bytes`. Dropped once closed. */
  send(address: string, bytes: Uint8Array): void;
  /** Calls `listener` with every datagram that arrives; returns a function that stops it. */
  onDatagram(listener: DatagramListener): () => void;
  /** Releases the address; nothing arrives afterwards. */
  close(): Promise<void>;
}
