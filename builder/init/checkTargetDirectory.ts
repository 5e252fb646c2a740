import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';

/**
 * Refuses a folder `osmose init` must not write into: a file, a folder under a file, or a
 * folder that is not empty (unless `force`). A folder that does not exist is fine: it will
 * be created. Looks only; changes nothing.
 */
export async function checkTargetDirectory(dir: string, force: boolean): Promise<{ readonly exists: boolean }> {
  const info = await statIfExists(dir);
  if (info === undefined) {
    let ancestor = dirname(dir);
    let found = await statIfExists(ancestor);
    while (found === undefined && dirname(ancestor) !== ancestor) {
      ancestor = dirname(ancestor);
      found = await statIfExists(ancestor);
    }
    if (found !== undefined && !found.isDirectory()) {
      throw new InputError('init.not-a-directory', `cannot create ${dir}: ${ancestor} is a file`, {
        hint: 'give init a folder path whose parents are folders',
        data: { directory: dir, file: ancestor },
      });
    }
    return { exists: false };
  }
  if (!info.isDirectory()) {
    throw new InputError('init.not-a-directory', `${dir} is a file, not a folder`, {
      hint: 'give init the path of a new or empty folder',
      data: { directory: dir },
    });
  }
  const entries = await readdir(dir);
  if (entries.length > 0 && !force) {
    throw new InputError('init.not-empty', `${dir} is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, such as ${entries.sort().slice(0, 3).join(', ')})`, {
      hint: 'give init a new or empty folder, or add --force to write the template into this one (other files are left alone, existing keys are kept)',
      data: { directory: dir, entries: entries.slice(0, 20) },
    });
  }
  return { exists: true };
}

/** The path's stat, or undefined when nothing is there (ENOTDIR: a parent is a file). */
async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
