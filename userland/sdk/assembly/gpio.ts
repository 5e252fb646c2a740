import { Status } from "./codes";
import { Device } from "./device";
import { gpio_read, gpio_write } from "./host";

/** A digital input (gpio-in): Press and Release events carry its handle as their source. */
export class Input extends Device {
  /** Whether the input is active now. False also when it cannot be read. */
  read(): bool {
    return this.handle >= 0 && gpio_read(this.handle) == 1;
  }
}

/** A digital output (gpio-out). */
export class Output extends Device {
  write(on: bool): Status {
    return this.handle < 0 ? this.handle : gpio_write(this.handle, on ? 1 : 0);
  }

  /** The level last written: true when on. False also when it cannot be read. */
  read(): bool {
    return this.handle >= 0 && gpio_read(this.handle) == 1;
  }
}

export namespace gpio {
  export function input(alias: string): Input { return new Input(alias); }
  export function output(alias: string): Output { return new Output(alias); }
}
