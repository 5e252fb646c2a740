import { describe, expect, it } from 'vitest';
import { rolloutActionAllowed, rolloutFinished, rolloutPercent } from './rolloutActions.js';

describe('rolloutActionAllowed', () => {
  it('offers what the rollout state table takes, and nothing else', () => {
    expect(rolloutActionAllowed('running', 'pause')).toBe(true);
    expect(rolloutActionAllowed('running', 'resume')).toBe(false);
    expect(rolloutActionAllowed('running', 'abort')).toBe(true);
    expect(rolloutActionAllowed('paused', 'pause')).toBe(false);
    expect(rolloutActionAllowed('paused', 'resume')).toBe(true);
    expect(rolloutActionAllowed('completed-with-deferred', 'pause')).toBe(true);
    for (const action of ['pause', 'resume', 'abort'] as const) {
      expect(rolloutActionAllowed('completed', action)).toBe(false);
      expect(rolloutActionAllowed('halted', action)).toBe(false);
      expect(rolloutActionAllowed('a-status-from-a-newer-gateway', action)).toBe(false);
    }
  });

  it('lets a new rollout start only after the last one finished', () => {
    expect(rolloutFinished('completed')).toBe(true);
    expect(rolloutFinished('aborted')).toBe(true);
    expect(rolloutFinished('running')).toBe(false);
    expect(rolloutFinished('completed-with-deferred')).toBe(false);
  });
});

describe('rolloutPercent', () => {
  it('says 100% only when every board is done', () => {
    expect(rolloutPercent(0, 0)).toBe(100);
    expect(rolloutPercent(199, 200)).toBe(99);
    expect(rolloutPercent(1, 3)).toBe(33);
    expect(rolloutPercent(3, 3)).toBe(100);
  });
});
