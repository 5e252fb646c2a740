// Serial ports. Imported as one namespace (`serial.open("meter")`), with Port also exported
// on its own, as in the AssemblyScript SDK.
import { Device } from './device.js';
import { serial_read, serial_write, takeBytes } from './host.js';

/** A serial port: Serial events carry its handle as their source. */
export class Port extends Device {
  /** Queues bytes; returns how many were taken, or a negative Status. */
  write(data: Uint8Array): number {
    return this.handle < 0 ? this.handle : serial_write(this.handle, data);
  }

  /** Queues text as UTF-8; returns how many bytes were taken, or a negative Status. */
  writeText(text: string): number {
    return this.handle < 0 ? this.handle : serial_write(this.handle, text);
  }

  /** Moves received bytes into `into`; returns how many, or a negative Status. */
  read(into: Uint8Array): number {
    if (this.handle < 0) return this.handle;
    const count = serial_read(this.handle, into.byteLength);
    into.set(takeBytes());
    return count;
  }
}

/** Opens the serial port bound to a need. */
export function open(alias: string): Port { return new Port(alias); }
