import { Status } from './codes.js';
import { device as resolve } from './config.js';

/**
 * A device the app needs, by its alias in building.yaml. The alias is resolved once, when
 * the device is opened (usually at the top of the app, when the board starts it); a need
 * that is not bound on this board gives a device whose calls all return Status.NotFound.
 */
export class Device {
  readonly alias: string;
  /** The host's handle, or a negative Status when the alias did not resolve. */
  readonly handle: number;

  constructor(alias: string) {
    this.alias = alias;
    this.handle = resolve(alias);
  }

  /** Whether the alias resolved. */
  get found(): boolean {
    return this.handle >= 0;
  }

  /** Status.Ok, or why the alias did not resolve. */
  get status(): Status {
    return this.handle >= 0 ? Status.Ok : this.handle;
  }

  /** Whether an event's `source` is this device. */
  is(source: number): boolean {
    return this.handle >= 0 && source === this.handle;
  }
}
