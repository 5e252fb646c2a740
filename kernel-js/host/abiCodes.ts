import { abiDefinition } from '../../userland/abi/index.js';

type Codes<T> = { readonly [K in keyof T]: number };

function codes<T extends Record<string, { readonly code: number }>>(table: T): Codes<T> {
  return Object.fromEntries(Object.entries(table).map(([name, { code }]) => [name, code])) as Codes<T>;
}

/**
 * The ABI's status, event and log-level codes by name, as plain numbers: what the host
 * functions return, raise and log with.
 */
export const abiCodes = {
  status: codes(abiDefinition.status),
  event: codes(abiDefinition.events),
  logLevel: codes(abiDefinition.logLevels),
} as const;
