// Digital inputs and outputs. Imported as one namespace (`gpio.output("lamp")`), with the
// classes also exported on their own, as in the AssemblyScript SDK.
import type { Status } from './codes.js';
import { Device } from './device.js';
import { gpio_read, gpio_write } from './host.js';

/** A digital input (gpio-in): Press and Release events carry its handle as their source. */
export class Input extends Device {
  /** Whether the input is active now. False also when it cannot be read. */
  read(): boolean {
    return this.handle >= 0 && gpio_read(this.handle) === 1;
  }
}

/** A digital output (gpio-out). */
export class Output extends Device {
  /** Turns the output on or off. */
  write(on: boolean): Status {
    return this.handle < 0 ? this.handle : gpio_write(this.handle, on ? 1 : 0);
  }

  /** The level last written: true when on. False also when it cannot be read. */
  read(): boolean {
    return this.handle >= 0 && gpio_read(this.handle) === 1;
  }
}

/** Opens the digital input bound to a need. */
export function input(alias: string): Input { return new Input(alias); }
/** Opens the digital output bound to a need. */
export function output(alias: string): Output { return new Output(alias); }
