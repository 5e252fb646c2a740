import { describe, expect, it } from 'vitest';
import { indexBuilding } from '../model/indexBuilding.js';
import { spacePath } from './spacePath.js';

describe('spacePath', () => {
  it('lists the ids from the outermost space down', () => {
    const index = indexBuilding({ spaces: [{ id: 'site', kind: 'site', spaces: [{ id: 'north', kind: 'wing', spaces: [{ id: 'n1', kind: 'room' }] }] }] });
    expect(index.spaces.map(spacePath)).toEqual([['site'], ['site', 'north'], ['site', 'north', 'n1']]);
  });
});
