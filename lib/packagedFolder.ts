import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OsmoseError } from './OsmoseError.js';

/**
 * A folder of data osmose ships beside its code (templates, the SDK's AssemblyScript, the
 * apps): tsc does not copy such folders into dist/, so a module finds them from the source
 * tree or from the package's own copy. `candidates` are relative to `moduleUrl`; the first
 * that holds `marker` wins. Throws `code` when none does: the installation is incomplete.
 */
export function packagedFolder(moduleUrl: string, candidates: readonly string[], marker: string, code: string, what: string): string {
  const dirs = candidates.map((candidate) => fileURLToPath(new URL(candidate, moduleUrl)));
  const found = dirs.find((dir) => existsSync(join(dir, marker)));
  if (found !== undefined) return found;
  throw new OsmoseError(code, `${what} ${what.endsWith('s') ? 'are' : 'is'} missing from this installation of osmose`, {
    hint: 'reinstall osmose: its package must include the folders listed in package.json "files"',
    data: { searched: dirs },
  });
}
