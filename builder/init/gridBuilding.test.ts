import { describe, expect, it } from 'vitest';
import { buildingSchema } from '../model/buildingSchema.js';
import { indexBuilding } from '../model/indexBuilding.js';
import { gridBuilding } from './gridBuilding.js';

describe('gridBuilding', () => {
  it('makes floors × rooms × boards sim boards with unique ids, each with a button and a lamp', () => {
    const building = gridBuilding({ floors: 10, rooms: 25, boardsPerRoom: 4 }, { id: 'bench', name: 'Bench' });
    expect(buildingSchema.safeParse(building).success).toBe(true);
    const index = indexBuilding(building);
    expect(index.boards).toHaveLength(1000);
    expect(index.spaces).toHaveLength(10 + 250);
    expect(new Set(index.boards.map((board) => board.id)).size).toBe(1000);
    expect(index.spaces.map((space) => space.id).slice(0, 2)).toEqual(['f1', 'f1-r1']);
    for (const board of index.boards) {
      expect(board.type).toBe('sim');
      const aliases = board.devices.map((device) => device.alias);
      expect(aliases).toEqual(expect.arrayContaining(['button', 'lamp']));
      expect(aliases).toHaveLength(3);
    }
  });

  it('varies the devices: heaters, e-ink displays, microphones and serial meters', () => {
    const index = indexBuilding(gridBuilding({ floors: 1, rooms: 1, boardsPerRoom: 4 }, { id: 'g', name: 'G' }));
    expect(index.boards.map((board) => board.devices.map((device) => device.alias)[2])).toEqual(['heater', 'screen', 'mic', 'meter']);
    const screen = index.devices.find((device) => device.alias === 'screen');
    expect(screen?.settings).toMatchObject({ driver: 'display', technology: 'e-ink' });
  });

  it('places lights on every board that has a button and a lamp, with its policies in policies.yaml', () => {
    const building = gridBuilding({ floors: 1, rooms: 1, boardsPerRoom: 1 }, { id: 'g', name: 'G' });
    expect(building.apps).toEqual([{ name: 'lights', source: 'apps/lights', place: { has: ['button', 'lamp'] }, needs: ['button', 'lamp'] }]);
    expect(building.policies).toBe('policies.yaml');
    expect(building.building).toEqual({ id: 'g', name: 'G' });
  });
});
