import { describe, expect, it } from 'vitest';
import { durationSchema, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['10ms', 10],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(durationSchema.safeParse(text).success).toBe(true);
  });

  it.each(['10 ms', 'a day', '24', 'h', '-5s', '1e3s', '10sec', ''])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(durationSchema.safeParse(text).success).toBe(false);
  });
});
