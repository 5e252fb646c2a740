import { InputError } from '../../lib/OsmoseError.js';
import type { Credential } from './PersonRecord.js';

const maxLength = 1024;

/**
 * The credential of a request: exactly one of `badge` and `password`, a non-empty string.
 * Refused (`people.bad-credential`) otherwise, without echoing what was given: it is a secret.
 */
export function parseCredential(body: { readonly badge?: unknown; readonly password?: unknown }): Credential {
  const given = (['badge', 'password'] as const).filter((kind) => body[kind] !== undefined);
  if (given.length !== 1) {
    throw new InputError('people.bad-credential', given.length === 0 ? 'say who arrives: give a badge id or a password' : 'give a badge id or a password, not both', {
      hint: 'osmose people admit --badge ID',
      data: {},
    });
  }
  const kind = given[0] === 'password' ? 'password' : 'badge';
  const value = body[kind];
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw new InputError('people.bad-credential', `the ${kind} must be a non-empty string of at most ${maxLength} characters`, { data: { kind } });
  }
  return kind === 'badge' ? { badge: value } : { password: value };
}
