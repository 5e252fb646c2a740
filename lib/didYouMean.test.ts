import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix } from './didYouMean.js';

describe('didYouMean', () => {
  it('finds a near miss', () => {
    expect(didYouMean('pul', ['driver', 'pin', 'pull', 'debounce'])).toBe('pull');
    expect(didYouMean('chanel', ['gpio', 'channel', 'display'])).toBe('channel');
    expect(didYouMean('RPI4', ['rpi4', 'rpi5'])).toBe('rpi4');
  });

  it('offers nothing when no candidate is close', () => {
    expect(didYouMean('heater', ['pin', 'pull'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('formats a suffix only when it has a guess', () => {
    expect(didYouMeanSuffix('lamps', ['lamp'])).toBe(' Did you mean "lamp"?');
    expect(didYouMeanSuffix('zzzz', ['lamp'])).toBe('');
  });
});
