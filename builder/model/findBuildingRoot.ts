import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';

/** The nearest folder at or above `start` that holds building.yaml, like git finds `.git`. */
export function findBuildingRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'building.yaml'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new InputError('building.not-found', `${start} is not in an osmose building (no building.yaml here or in any parent folder)`, {
    hint: 'run osmose inside a building repository, point -C at one, or create one with `osmose init DIR`',
    data: { start },
  });
}
