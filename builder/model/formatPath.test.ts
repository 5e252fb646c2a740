import { describe, expect, it } from 'vitest';
import { formatPath } from './formatPath.js';

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['spaces', 0, 'spaces', 2, 'boards', 1, 'devices', 'lamp', 'pin'])).toBe('spaces[0].spaces[2].boards[1].devices.lamp.pin');
    expect(formatPath([])).toBe('');
    expect(formatPath(['policies', 'rules', 0, 'allow', 1])).toBe('policies.rules[0].allow[1]');
  });

  it('quotes keys that are not plain words', () => {
    expect(formatPath(['devices', 'Big Lamp'])).toBe('devices["Big Lamp"]');
    expect(formatPath(['a.b'])).toBe('["a.b"]');
    expect(formatPath(['devices', '1'])).toBe('devices["1"]');
  });
});
