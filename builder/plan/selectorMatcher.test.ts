import { describe, expect, it } from 'vitest';
import { indexBuilding } from '../model/indexBuilding.js';
import type { Selector } from '../model/selectorSchema.js';
import { selectorMatcher } from './selectorMatcher.js';

const index = indexBuilding({
  spaces: [
    {
      id: 'f1',
      kind: 'floor',
      boards: [{ id: 'hall', board: 'sim', devices: { lamp: {} } }],
      spaces: [
        { id: 'r1', kind: 'room', boards: [{ id: 'r1-a', board: 'sim', devices: { lamp: {}, mic: {} } }, { id: 'r1-b', board: 'sim', devices: { lamp: {} } }] },
        { id: 'c1', kind: 'corridor', boards: [{ id: 'c1-a', board: 'sim', devices: { mic: {} } }] },
      ],
    },
  ],
});

const matched = (selector: Selector): string[] => {
  const matches = selectorMatcher(selector, index);
  return index.boards.filter(matches).map((board) => board.id);
};

describe('selectorMatcher', () => {
  it('matches boards inside the spaces of a kind, or of the ids, at any depth', () => {
    expect(matched({ kind: 'room' })).toEqual(['r1-a', 'r1-b']);
    expect(matched({ kind: 'floor' })).toEqual(['hall', 'r1-a', 'r1-b', 'c1-a']);
    expect(matched({ ids: ['c1', 'r1-b'] })).toEqual(['r1-b', 'c1-a']);
  });

  it('matches the boards has chooses, narrowed by kind or ids', () => {
    expect(matched({ has: ['mic'] })).toEqual(['r1-a', 'c1-a']);
    expect(matched({ kind: 'room', has: ['mic'] })).toEqual(['r1-a']);
    expect(matched({ ids: ['f1'], has: ['lamp'] })).toEqual(['hall', 'r1-a', 'r1-b']);
  });

  it('matches nothing for an unknown kind or id', () => {
    expect(matched({ kind: 'kitchen' })).toEqual([]);
    expect(matched({ ids: ['nope'] })).toEqual([]);
  });
});
