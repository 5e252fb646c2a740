/** The backend a serial driver receives: an open byte stream (a UART, a pty, a sim pipe). */
export interface SerialBus {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  close(): Promise<void>;
}
