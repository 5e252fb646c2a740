/** The one interface of the serial class: a byte stream to a peripheral. */
export interface Serial {
  /** Sends bytes; resolves once the bus has taken them. */
  write(bytes: Uint8Array): Promise<void>;
  /** Calls `listener` with bytes as they arrive, in order. Returns a function that stops it. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** Releases the port. Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): Promise<void>;
}
