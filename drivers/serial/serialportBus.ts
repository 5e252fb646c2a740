import { SerialPort } from 'serialport';
import { DriverError } from '../DriverError.js';
import type { SerialBus } from './SerialBus.js';

/** Opens a real serial device (a UART, a USB adapter, a pty) through `serialport`. */
export async function serialportBus(options: { readonly path: string; readonly baudRate: number }): Promise<SerialBus> {
  const port = new SerialPort({ path: options.path, baudRate: options.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(busFailed(options.path, 'open', error)) : resolve()));
  });
  // A write to a line that went away fails its callback (the promise below rejects) and the
  // stream also emits 'error': without a listener that would be an uncaught exception.
  port.on('error', () => undefined);
  return {
    write(bytes) {
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
          if (error) {
            reject(busFailed(options.path, 'write to', error));
            return;
          }
          port.drain((drainError) => (drainError ? reject(busFailed(options.path, 'drain', drainError)) : resolve()));
        });
      });
    },
    onData(listener) {
      const handler = (chunk: Buffer): void => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      port.on('data', handler);
      return () => port.off('data', handler);
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!port.isOpen) {
          resolve();
          return;
        }
        port.close((error) => (error ? reject(busFailed(options.path, 'close', error)) : resolve()));
      });
    },
  };
}

function busFailed(path: string, verb: string, cause: Error): DriverError {
  return new DriverError('driver.bus-failed', `could not ${verb} ${path}: ${cause.message}`, { cause, data: { path } });
}
