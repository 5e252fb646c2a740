import { describe, expect, it } from 'vitest';
import type { HealthSample } from '../DashboardApi.js';
import { historySummary } from './historySummary.js';

function sample(at: number, change: Partial<HealthSample> = {}): HealthSample {
  return { at: `2025-01-01T00:00:${String(at).padStart(2, '0')}Z`, online: true, running: true, stops: 0, agentState: 'idle', image: 'aa', missed: 0, ...change };
}

describe('historySummary', () => {
  it('counts heartbeats, and the misses and stops within the history only', () => {
    const history = [sample(0, { missed: 2, stops: 1 }), sample(1, { missed: 2, stops: 1 }), sample(2, { missed: 5, stops: 1 }), sample(3, { missed: 5, stops: 2 })];
    const summary = historySummary(history);
    expect(summary.text).toBe('4 heartbeats, 3 missed, 1 stop');
    expect(summary.marks.map((mark) => mark.tone)).toEqual(['ok', 'ok', 'warn', 'bad']);
  });

  it('marks offline and stopped samples in words as well as tone', () => {
    const summary = historySummary([sample(0, { online: false }), sample(1, { running: false, agentState: 'trial' })]);
    expect(summary.marks).toEqual([
      { at: sample(0).at, tone: 'muted', text: 'offline' },
      { at: sample(1).at, tone: 'bad', text: 'not running, trial' },
    ]);
  });

  it('says so when no heartbeat came yet', () => {
    expect(historySummary([])).toEqual({ text: '0 heartbeats, 0 missed, 0 stops', marks: [] });
  });
});
