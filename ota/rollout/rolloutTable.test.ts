import { describe, expect, it } from 'vitest';
import { finalRolloutStatuses, nextRolloutStatus, rolloutStatuses, rolloutTable, rolloutTriggers } from './rolloutTable.js';

describe('the rollout table', () => {
  it('has at most one row per (status, trigger), every status and trigger used', () => {
    const keys = rolloutTable.map((row) => `${row.from} ${row.on}`);
    expect(new Set(keys).size).toBe(keys.length);
    const reached = new Set(rolloutTable.flatMap((row) => [row.from, row.to]));
    expect([...reached].sort()).toEqual([...rolloutStatuses].sort());
    expect([...new Set(rolloutTable.map((row) => row.on))].sort()).toEqual([...rolloutTriggers].sort());
  });

  it('answers every (status, trigger) pair: a row, or a refusal', () => {
    let rows = 0;
    for (const status of rolloutStatuses) {
      for (const trigger of rolloutTriggers) {
        const row = nextRolloutStatus(status, trigger);
        if (row === undefined) continue;
        expect([row.from, row.on]).toEqual([status, trigger]);
        rows++;
      }
    }
    expect(rows).toBe(rolloutTable.length);
  });

  it('never leaves a final status', () => {
    for (const status of finalRolloutStatuses) for (const trigger of rolloutTriggers) expect(nextRolloutStatus(status, trigger)).toBeUndefined();
  });

  it('can halt and abort from every live status, and resume only a paused rollout', () => {
    const live = rolloutStatuses.filter((status) => !finalRolloutStatuses.includes(status));
    for (const status of live) {
      expect(nextRolloutStatus(status, 'over-limit')?.to).toBe('halted');
      expect(nextRolloutStatus(status, 'abort')?.to).toBe('aborted');
    }
    expect(rolloutStatuses.filter((status) => nextRolloutStatus(status, 'resume') !== undefined)).toEqual(['paused']);
    expect(nextRolloutStatus('paused', 'window-opened')).toBeUndefined();
    expect(nextRolloutStatus('paused', 'all-done')).toBeUndefined();
  });

  it.each(rolloutTable.map((row) => [row.from, row.on, row.to] as const))('%s on %s goes to %s', (from, on, to) => {
    expect(nextRolloutStatus(from, on)?.to).toBe(to);
  });
});
