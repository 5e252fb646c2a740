import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { epochFiles, type EpochManifest } from './EpochManifest.js';
import { readManifest } from './readManifest.js';

/** An epoch's directory and its manifest as read. */
export interface EpochEntry {
  readonly dir: string;
  readonly manifest: EpochManifest;
}

/**
 * Every key epoch kept under a board's data directory (`<device>/<epoch>/manifest.json`),
 * oldest first; none when there is no data directory. A directory without a manifest is no
 * epoch (a begin cut short before its manifest was written holds nothing readable): see
 * closeInterrupted. A manifest that does not parse fails with `record.bad-manifest`.
 */
export async function listEpochs(dataDir: string): Promise<EpochEntry[]> {
  const entries: EpochEntry[] = [];
  for (const device of await subdirectories(dataDir)) {
    for (const epoch of await subdirectories(join(dataDir, device))) {
      const dir = join(dataDir, device, epoch);
      const manifest = readManifest(join(dir, epochFiles.manifest));
      if (manifest !== undefined) entries.push({ dir, manifest });
    }
  }
  entries.sort((a, b) => a.manifest.startedAt.localeCompare(b.manifest.startedAt) || a.manifest.epoch.localeCompare(b.manifest.epoch));
  return entries;
}

/** The directories directly under `dir`, sorted; none when it does not exist. */
export async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
