import { describe, expect, it } from 'vitest';
import { versionStanding, versionTone } from './versionLook.js';

describe('versionStanding', () => {
  it("tells a board on the latest build's image from one behind it and one never heard from", () => {
    expect(versionStanding({ image: 'a1', latest: { image: 'a1', version: 2, current: true } })).toBe('latest');
    expect(versionStanding({ image: 'a0', latest: { image: 'a1', version: 2, current: false } })).toBe('behind');
    expect(versionStanding({ image: '', latest: { image: 'a1', version: 2, current: false } })).toBe('unknown');
    expect([versionTone('latest'), versionTone('behind'), versionTone('unknown')]).toEqual(['ok', 'warn', 'muted']);
  });
});
