import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OsmoseError } from '../../lib/OsmoseError.js';

// Run from the sources (builder/init/), the templates are a sibling folder. The build
// (dist/builder/init/) does not copy them, since they are data and AssemblyScript that tsc
// must not compile, so from there they are found in the package's own builder/templates/.
const candidates = ['../templates/', '../../../builder/templates/'];

/** The folder that holds the templates `osmose init` copies from. */
export function templatesDir(): string {
  for (const candidate of candidates) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'common'))) return dir;
  }
  throw new OsmoseError('init.templates-missing', 'the building templates are missing from this installation of osmose', {
    hint: 'reinstall osmose; its package must include builder/templates/',
    data: { searched: candidates.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))) },
  });
}
