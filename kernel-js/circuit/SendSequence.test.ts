import { describe, expect, it } from 'vitest';
import { SendSequence } from './SendSequence.js';

describe('SendSequence', () => {
  it('follows the clock in microseconds, and adds one when the clock has not moved on', () => {
    let now = 1_700_000_000_000.25;
    const sequence = new SendSequence(() => now);
    expect(sequence.next()).toBe(1_700_000_000_000_250n);
    expect(sequence.next()).toBe(1_700_000_000_000_251n);
    now += 1;
    expect(sequence.next()).toBe(1_700_000_000_001_250n);
  });

  it('never goes back when the clock does', () => {
    let now = 1_700_000_000_000;
    const sequence = new SendSequence(() => now);
    const first = sequence.next();
    now -= 5_000;
    expect(sequence.next()).toBe(first + 1n);
  });

  it('keeps rising across a restart, saving nothing', () => {
    let now = 1_700_000_000_000;
    const before = new SendSequence(() => now);
    let last = 0n;
    for (let i = 0; i < 1000; i += 1) last = before.next();
    now += 50;
    const after = new SendSequence(() => now);
    expect(after.next()).toBeGreaterThan(last);
  });
});
