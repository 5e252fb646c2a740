import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { EpochManifest } from './EpochManifest.js';

/**
 * Writes an epoch's manifest whole to a temporary file, flushes it, and renames it over the old
 * one: a power cut leaves the old manifest or the new, never half of one (an erased member's
 * key half-removed would be worse than either). Synchronous for the reason readManifest gives.
 */
export function writeManifest(path: string, manifest: EpochManifest): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
