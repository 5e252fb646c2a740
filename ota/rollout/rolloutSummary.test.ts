import { describe, expect, it } from 'vitest';
import { parseRolloutOptions } from './parseRolloutOptions.js';
import { renderRolloutLine } from './renderRolloutLine.js';
import type { RolloutInput } from './RolloutInput.js';
import { rolloutExitStatus, rolloutExitStatuses } from './rolloutExitStatus.js';
import type { RolloutSpec } from './RolloutSpec.js';
import type { RolloutState } from './RolloutState.js';
import { rolloutSummary } from './rolloutSummary.js';
import { rolloutStatuses } from './rolloutTable.js';
import { startRollout } from './startRollout.js';
import { stepRollout } from './stepRollout.js';

const spec: RolloutSpec = {
  id: 'r-1a2b3c4d-1',
  build: '1a2b3c4d'.repeat(5),
  startedAt: '2025-01-06T12:00:00.000Z',
  ...parseRolloutOptions({ waves: '2,100%', maxFailures: '3' }),
  targets: Array.from({ length: 8 }, (_, i) => ({ board: `b${i}`, space: `room-${i}`, image: 'sha256:new', version: 1 })),
};

function run(inputs: readonly object[]): RolloutState {
  let state = startRollout(spec);
  inputs.forEach((input, i) => {
    state = stepRollout(state, { ...input, at: new Date(Date.parse(spec.startedAt) + (i + 1) * 1000).toISOString() } as RolloutInput).state;
  });
  return state;
}

describe('rolloutSummary and renderRolloutLine', () => {
  it('count boards by state, bytes, failures and progress, and fit it on one line', () => {
    const seen = spec.targets.map((t) => ({ kind: 'seen', board: t.board, online: t.board !== 'b5', image: t.board === 'b6' ? 'sha256:new' : 'sha256:old' }));
    const first = run([...seen, { kind: 'tick' }]);
    const [a, b] = first.boards.filter((board) => board.state === 'offered').map((board) => board.board);
    const state = run([
      ...seen,
      { kind: 'tick' },
      { kind: 'progress', board: a, step: 'downloading', bytes: 1_500_000 },
      { kind: 'progress', board: b, step: 'refused', reason: 'signature does not verify', bytes: 250 },
    ]);
    const summary = rolloutSummary(state);
    expect(summary).toMatchObject({
      rollout: spec.id,
      status: 'running',
      wave: { current: 1, of: 2, allPassed: false },
      offered: 2,
      bytes: 1_500_250,
      done: 2,
      total: 8,
      maxFailures: '3',
      failures: [{ board: b, wave: 1, reason: 'signature does not verify' }],
    });
    expect(summary.boards).toEqual({ pending: 5, unchanged: 1, deferred: 0, offered: 0, downloading: 1, downloaded: 0, installed: 0, healthy: 0, committed: 0, failed: 1, reverted: 0 });
    expect(renderRolloutLine(summary)).toBe('r-1a2b3c4d-1 running · wave 1/2 · 2/8 done (0 committed, 1 unchanged) · 1 in flight · 5 pending · 1 failed (limit 3) · 1.5 MB');
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('say what deferred boards wait for, and why a rollout stopped', () => {
    const aborted = run([{ kind: 'seen', board: 'b0', online: true, image: 'sha256:old' }, { kind: 'tick' }, { kind: 'abort', reason: 'wrong build' }]);
    const summary = rolloutSummary(aborted);
    expect(summary.deferred.map((d) => d.reason)).toEqual(['not seen yet']);
    expect(summary.deferred[0]?.board).toMatch(/^b[1-7]$/);
    expect(renderRolloutLine(summary)).toContain('aborted by the operator: wrong build');
    expect(renderRolloutLine(summary)).toContain('1 deferred');
  });
});

describe('rolloutExitStatus', () => {
  it('is 0 completed, 1 halted or aborted, 3 deferred, 4 failures within the limit, 5 not finished', () => {
    expect(Object.keys(rolloutExitStatuses).sort()).toEqual([...rolloutStatuses].sort());
    expect(rolloutExitStatuses).toMatchObject({ completed: 0, halted: 1, aborted: 1, 'completed-with-deferred': 3, 'completed-with-failures': 4, running: 5, paused: 5, 'waiting-window': 5 });
    expect(rolloutExitStatus(startRollout(spec))).toBe(5);
  });
});
