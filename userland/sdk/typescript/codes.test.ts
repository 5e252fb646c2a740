import { describe, expect, it } from 'vitest';
import { abiDefinition } from '../../abi/index.js';
import { EventKind, LogLevel, Status } from './codes.js';

// A numeric enum maps names to values and values back to names: keep the names.
const members = (table: object): Record<string, unknown> => Object.fromEntries(Object.entries(table).filter(([name]) => !/^-?\d+$/.test(name)));
const codes = (table: Readonly<Record<string, { readonly code: number }>>): Record<string, number> => Object.fromEntries(Object.entries(table).map(([name, { code }]) => [name, code]));

describe('codes', () => {
  it('has every status, event kind and log level of the ABI, by the same name and value', () => {
    expect(members(Status)).toEqual(codes(abiDefinition.status));
    expect(members(EventKind)).toEqual(codes(abiDefinition.events));
    expect(members(LogLevel)).toEqual(codes(abiDefinition.logLevels));
  });
});
