import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import { removeTempBuildings, tempBuilding } from '../../test/fixtures/tempBuilding.js';
import { findBuildingRoot } from './findBuildingRoot.js';

afterEach(removeTempBuildings);

describe('findBuildingRoot', () => {
  it('finds building.yaml in the folder or the nearest one above it, like git', async () => {
    const root = await tempBuilding({ 'building.yaml': 'osmose: 1\n', 'apps/lights/': '' });
    expect(findBuildingRoot(root)).toBe(root);
    expect(findBuildingRoot(join(root, 'apps', 'lights'))).toBe(root);
  });

  it('refuses a folder outside any building, naming osmose init', async () => {
    const root = await tempBuilding({ 'somewhere/': '' });
    await mkdir(join(root, 'somewhere', 'deeper'));
    let error: unknown;
    try {
      findBuildingRoot(join(root, 'somewhere', 'deeper'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('building.not-found');
    expect((error as InputError).hint).toContain('osmose init');
  });
});
