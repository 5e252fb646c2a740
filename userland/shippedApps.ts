import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OsmoseError } from '../lib/OsmoseError.js';

// From the sources the apps are in userland/apps/ beside this file; from the build
// (dist/userland/) they are found in the package's own userland/apps/, since tsc must not
// compile AssemblyScript.
const candidates = ['./apps/', '../../userland/apps/'];

/** The folder of the apps that ship with osmose, one folder each (`lights/assembly/index.ts`). */
export function shippedAppsDir(): string {
  for (const candidate of candidates) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'lights'))) return dir;
  }
  throw new OsmoseError('userland.apps-missing', 'the apps that ship with osmose are missing from this installation', {
    hint: 'reinstall osmose; its package must include userland/apps/',
    data: { searched: candidates.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))) },
  });
}
