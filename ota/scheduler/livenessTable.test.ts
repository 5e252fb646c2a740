import { describe, expect, it } from 'vitest';
import { livenessEvents, livenessStates, livenessTable, nextLiveness } from './livenessTable.js';

describe('the liveness table', () => {
  it('has at most one row per (state, event), and uses every state and event', () => {
    const keys = livenessTable.map((row) => `${row.from} ${row.on}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...new Set(livenessTable.flatMap((row) => [row.from, row.to]))].sort()).toEqual([...livenessStates].sort());
    expect([...new Set(livenessTable.map((row) => row.on))].sort()).toEqual([...livenessEvents].sort());
  });

  it('answers exactly the pairs it has rows for', () => {
    let rows = 0;
    for (const state of livenessStates) for (const event of livenessEvents) if (nextLiveness(state, event) !== undefined) rows++;
    expect(rows).toBe(livenessTable.length);
  });

  it('reports a board lost only on a deadline, from up or silent', () => {
    for (const row of livenessTable) expect(row.report === 'lost', `${row.from} on ${row.on}`).toBe(row.on === 'deadline' && (row.from === 'up' || row.from === 'silent'));
    expect(nextLiveness('up', 'deadline')).toMatchObject({ to: 'lost', report: 'lost' });
    expect(nextLiveness('silent', 'deadline')).toMatchObject({ to: 'lost', report: 'lost' });
  });

  it('reports a board back only when a lost one beats again', () => {
    for (const row of livenessTable) expect(row.report === 'returned', `${row.from} on ${row.on}`).toBe(row.from === 'lost' && row.on === 'beat');
    expect(nextLiveness('lost', 'beat')).toMatchObject({ to: 'up', report: 'returned' });
  });

  it('forgives a dropped session that comes back before its deadline', () => {
    expect(nextLiveness('up', 'drop')?.to).toBe('silent');
    expect(nextLiveness('silent', 'beat')).toMatchObject({ to: 'up', report: null });
  });

  it('ignores what cannot matter: a deadline for a board not watched or already lost, a drop before any beat', () => {
    expect(nextLiveness('unwatched', 'deadline')).toBeUndefined();
    expect(nextLiveness('unwatched', 'drop')).toBeUndefined();
    expect(nextLiveness('lost', 'deadline')).toBeUndefined();
    expect(nextLiveness('lost', 'drop')?.to).toBe('lost');
  });
});
