import { describe, expect, it } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

describe('TokenBucket', () => {
  it('starts full, takes whole sends only, and refills at the reserved rate up to the burst', () => {
    const bucket = new TokenBucket({ bytesPerSecond: 1_000, burstBytes: 500 }, 0);
    expect(bucket.take(300, 0)).toBe(true);
    expect(bucket.take(300, 0)).toBe(false);
    expect(bucket.tokens(0)).toBe(200);
    expect(bucket.msUntil(300, 0)).toBe(100);
    expect(bucket.take(300, 100)).toBe(true);
    expect(bucket.tokens(100)).toBe(0);
    // An hour idle fills it to the burst, no more.
    expect(bucket.tokens(3_600_100)).toBe(500);
    expect(bucket.msUntil(501, 3_600_100)).toBe(Infinity);
  });

  it('adds nothing when the clock steps back', () => {
    const bucket = new TokenBucket({ bytesPerSecond: 1_000, burstBytes: 500 }, 1_000);
    expect(bucket.take(500, 1_000)).toBe(true);
    expect(bucket.tokens(0)).toBe(0);
    expect(bucket.tokens(1_100)).toBe(100);
  });

  it('refuses a reservation that is not positive', () => {
    expect(() => new TokenBucket({ bytesPerSecond: 0, burstBytes: 10 }, 0)).toThrow(expect.objectContaining({ code: 'stream.reservation' }));
    expect(() => new TokenBucket({ bytesPerSecond: 10, burstBytes: Number.NaN }, 0)).toThrow(expect.objectContaining({ code: 'stream.reservation' }));
  });
});
