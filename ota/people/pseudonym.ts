import { randomBytes } from 'node:crypto';
import { InputError } from '../../lib/OsmoseError.js';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
const length = 8;

/** What every pseudonym looks like: `p-` and 8 lowercase base32 characters. */
export const pseudonymPattern = /^p-[a-z2-7]{8}$/;

/**
 * A fresh pseudonym: 40 random bits, so two people of one building meet by chance about once
 * in a million admissions of a thousand people (and the register draws again when they do).
 * Drawn, never derived from the badge: nothing about the person can be worked back from it.
 */
export function newPseudonym(): string {
  // 256 is a multiple of 32: taking the low five bits of each byte favours no character.
  return `p-${[...randomBytes(length)].map((byte) => alphabet[byte & 31] ?? '').join('')}`;
}

/** Refuses what is not a pseudonym (`people.bad-pseudonym`), before it reaches a path or a ref. */
export function checkPseudonym(value: string): string {
  if (!pseudonymPattern.test(value)) {
    throw new InputError('people.bad-pseudonym', `${JSON.stringify(value)} is not a pseudonym: one looks like p-k3x9f2ab (p- and 8 of a-z, 2-7)`, {
      hint: 'osmose people list shows every pseudonym of the building',
      data: { pseudonym: value },
    });
  }
  return value;
}
