import { DriverError } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';

const { status, logLevel } = abiCodes;

/**
 * The status a host function answers when a driver call threw. The codes the app can act on
 * map to their status (a closed driver is Unavailable, a destroyed key NotFound, a bad frame
 * or member BadArgument); anything else is Failed, and the board logs why (docs/abi.md:
 * "Failed: the driver failed; the board logged why").
 */
export function driverStatus(error: unknown, what: string, log: (level: number, message: string) => void): number {
  if (error instanceof DriverError) {
    switch (error.code) {
      case 'driver.closed':
        return status.Unavailable;
      case 'enclave.no-key':
        return status.NotFound;
      case 'driver.bad-frame':
      case 'enclave.bad-member':
        return status.BadArgument;
      default:
        break;
    }
  }
  log(logLevel.Error, `${what} failed: ${error instanceof Error ? `${error.message}${error instanceof DriverError ? ` (${error.code})` : ''}` : String(error)}`);
  return status.Failed;
}
