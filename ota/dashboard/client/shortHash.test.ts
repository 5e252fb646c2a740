import { expect, it } from 'vitest';
import { shortHash } from './shortHash.js';

it('keeps the first hex digits, after any algorithm prefix', () => {
  expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab');
  expect(shortHash('sha256:0123456789abcdef0123')).toBe('0123456789ab');
  expect(shortHash('0123456789abcdef', 8)).toBe('01234567');
  expect(shortHash('abc')).toBe('abc');
});
