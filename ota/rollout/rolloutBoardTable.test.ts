import { describe, expect, it } from 'vitest';
import { progressSteps } from './RolloutInput.js';
import { boardRolloutStates, boardRolloutTable, boardTriggers, inFlightStates, nextBoardState } from './rolloutBoardTable.js';

const order = ['offered', 'downloading', 'downloaded', 'installed', 'healthy'] as const;

describe('the board table of a rollout', () => {
  it('has at most one row per (state, trigger), and every state and trigger is used', () => {
    const keys = boardRolloutTable.map((row) => `${row.from} ${row.on}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...new Set(boardRolloutTable.flatMap((row) => [row.from, row.to]))].sort()).toEqual([...boardRolloutStates].sort());
    expect([...new Set(boardRolloutTable.map((row) => row.on))].sort()).toEqual([...boardTriggers].sort());
    for (const step of progressSteps) expect(boardTriggers).toContain(step);
  });

  it('answers every (state, trigger) pair', () => {
    let rows = 0;
    for (const state of boardRolloutStates) for (const trigger of boardTriggers) if (nextBoardState(state, trigger) !== undefined) rows++;
    expect(rows).toBe(boardRolloutTable.length);
  });

  it('moves an in-flight board forward, skipping lost reports, never back', () => {
    for (const [i, from] of order.entries()) {
      for (const [j, to] of order.entries()) {
        if (to === 'offered') continue;
        const row = nextBoardState(from, to);
        if (j > i || (from === 'downloading' && to === 'downloading')) expect(row?.to, `${from} → ${to}`).toBe(to);
        else expect(row, `${from} → ${to}`).toBeUndefined();
      }
    }
  });

  it('counts a failure exactly when a board in flight or healthy fails, refuses, reverts on its own or times out', () => {
    for (const row of boardRolloutTable) {
      const expected = [...inFlightStates, 'healthy'].includes(row.from) && ['failed', 'refused', 'reverted', 'timeout'].includes(row.on);
      expect(row.failure, `${row.from} on ${row.on}`).toBe(expected);
    }
  });

  it('rolls back every uncommitted board that was offered, and nothing else', () => {
    const rolledBack = boardRolloutStates.filter((state) => nextBoardState(state, 'roll-back') !== undefined);
    expect(rolledBack).toEqual([...inFlightStates, 'healthy']);
    for (const state of rolledBack) expect(nextBoardState(state, 'roll-back')?.to).toBe('reverted');
  });

  it('commits only a healthy board, and offers only one that was never offered', () => {
    expect(boardRolloutStates.filter((state) => nextBoardState(state, 'commit') !== undefined)).toEqual(['healthy']);
    expect(boardRolloutStates.filter((state) => nextBoardState(state, 'offer') !== undefined)).toEqual(['pending', 'deferred']);
    expect(boardRolloutStates.filter((state) => nextBoardState(state, 'committed') !== undefined)).toEqual(['committed']);
  });

  it('keeps unchanged and committed boards where they are', () => {
    for (const trigger of boardTriggers) {
      expect(nextBoardState('unchanged', trigger)).toBeUndefined();
      const row = nextBoardState('committed', trigger);
      if (row !== undefined) expect(row.to).toBe('committed');
    }
  });
});
