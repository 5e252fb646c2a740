import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest package.json above this file: the project's, from source or from dist/. */
function manifestPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('osmose cannot find its own package.json');
}

export const osmoseVersion: string = (JSON.parse(readFileSync(manifestPath(), 'utf8')) as { version: string }).version;
