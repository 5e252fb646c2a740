import { Device } from "./device";
import { serial_read, serial_write } from "./host";
import { utf8 } from "./text";

/** A serial port: Serial events carry its handle as their source. */
export class Port extends Device {
  /** Queues bytes; returns how many were taken, or a negative Status. */
  write(data: Uint8Array): i32 {
    return this.handle < 0 ? this.handle : serial_write(this.handle, data.dataStart, data.byteLength);
  }

  writeText(text: string): i32 {
    if (this.handle < 0) return this.handle;
    const bytes = utf8(text);
    return serial_write(this.handle, changetype<usize>(bytes), bytes.byteLength);
  }

  /** Moves received bytes into `into`; returns how many, or a negative Status. */
  read(into: Uint8Array): i32 {
    return this.handle < 0 ? this.handle : serial_read(this.handle, into.dataStart, into.byteLength);
  }
}

export namespace serial {
  export function open(alias: string): Port { return new Port(alias); }
}
