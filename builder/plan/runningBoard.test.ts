import { describe, expect, it } from 'vitest';
import { indexBuilding, type BoardNode, type DeviceNode } from '../model/indexBuilding.js';
import type { Placement } from '../model/placeApp.js';
import { runningBoard } from './runningBoard.js';

const index = indexBuilding({
  spaces: [
    {
      id: 'f1',
      kind: 'floor',
      spaces: [
        {
          id: 'r1',
          kind: 'room',
          boards: [
            { id: 'a', board: 'sim', devices: { button: { driver: 'gpio-in' } } },
            { id: 'b', board: 'sim', devices: { lamp: { driver: 'gpio-out' }, screen: { driver: 'display' } } },
          ],
        },
        { id: 'empty', kind: 'room' },
      ],
    },
  ],
});
const order = new Map<BoardNode, number>(index.boards.map((board, i) => [board, i]));
const space = (id: string): Placement['scope'] => {
  const found = index.spaces.find((s) => s.id === id);
  if (found === undefined) throw new Error(id);
  return found;
};
const device = (alias: string): DeviceNode => {
  const found = index.devices.find((d) => d.alias === alias);
  if (found === undefined) throw new Error(alias);
  return found;
};
const run = (placement: Placement, aliases: string[]): string | undefined => {
  const result = runningBoard(placement, aliases.map(device), order);
  return result === undefined ? undefined : `${result.board.id} ${result.runsOn}`;
};

describe('runningBoard', () => {
  it('runs on the board the selector chose, wherever the devices are', () => {
    const b = index.boards[1] as BoardNode;
    expect(run({ scope: space('r1'), host: b }, ['button'])).toBe('b place');
  });

  it('otherwise runs on the board holding the most bound devices', () => {
    expect(run({ scope: space('r1'), host: undefined }, ['button', 'lamp', 'screen'])).toBe('b devices');
  });

  it('breaks a tie by document order, not by the order of the needs', () => {
    expect(run({ scope: space('r1'), host: undefined }, ['lamp', 'button'])).toBe('a devices');
    expect(run({ scope: space('r1'), host: undefined }, ['button', 'lamp'])).toBe('a devices');
  });

  it('puts a fragment that needs nothing on the first board inside its space, or nowhere', () => {
    expect(run({ scope: space('f1'), host: undefined }, [])).toBe('a first-board');
    expect(run({ scope: space('empty'), host: undefined }, [])).toBeUndefined();
  });
});
