import { OsmoseError, type ErrorData } from '../lib/OsmoseError.js';

/**
 * The codes a driver may fail with. Stable: the host maps them to ABI status codes, and
 * callers test them, never the message.
 */
export type DriverErrorCode =
  | 'driver.closed'
  | 'driver.bad-level'
  | 'driver.bad-option'
  | 'driver.read-only'
  | 'driver.not-watchable'
  | 'driver.bad-frame'
  | 'driver.out-of-bounds'
  | 'driver.bus-failed'
  | 'enclave.no-key'
  | 'enclave.tampered'
  | 'enclave.bad-member'
  | 'enclave.not-for-you'
  | 'enclave.not-wrappable';

/** A failure of a driver or of the bus under it. */
export class DriverError extends OsmoseError {
  declare readonly code: DriverErrorCode;

  constructor(code: DriverErrorCode, message: string, options: { hint?: string; data?: ErrorData; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Refuses a call on a closed driver: `what` names the driver for the message. */
export function closedError(what: string): DriverError {
  return new DriverError('driver.closed', `${what} is closed`, { hint: 'open the device again', data: { device: what } });
}
