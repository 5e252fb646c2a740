import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listEpochs } from './listEpochs.js';

export interface SweepReport {
  /** The ids of the epochs removed, with every file in them: audio, activity and the wrapped keys. */
  readonly epochs: readonly string[];
  readonly bytes: number;
}

/**
 * Removes every epoch whose retention is over: ended, with a retention (retainMs not null), and
 * endedAt + retainMs ≤ now. The whole directory goes, wrapped keys with the data: the enclave
 * destroyed the key itself when the epoch ended, so after this no key to the data exists
 * anywhere. Open epochs are left alone; so are epochs kept until erased (no retain). Also
 * removes `<device>.sealed` files an older shim left in the data directory: they were sealed
 * under keys destroyed long ago, and nothing can open them.
 */
export async function sweepExpired(dataDir: string, now: Date): Promise<SweepReport> {
  const epochs: string[] = [];
  let bytes = 0;
  for (const { dir, manifest } of await listEpochs(dataDir)) {
    if (manifest.endedAt === null || manifest.retainMs === null) continue;
    if (Date.parse(manifest.endedAt) + manifest.retainMs > now.getTime()) continue;
    bytes += sizeOf(dir);
    await rm(dir, { recursive: true, force: true });
    epochs.push(manifest.epoch);
  }
  for (const legacy of readdirOrNone(dataDir).filter((name) => name.endsWith('.sealed'))) {
    const path = join(dataDir, legacy);
    bytes += sizeOf(path);
    await rm(path, { force: true });
  }
  return { epochs, bytes };
}

/** Bytes of a file, or of every file under a directory. */
export function sizeOf(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function readdirOrNone(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
