import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { EpochManifest } from './EpochManifest.js';

/**
 * Writes an epoch's manifest whole to a temporary file and renames it over the old one: a
 * crash leaves the old manifest or the new, never half of one (an erased member's key
 * half-removed would be worse than either). `durable` flushes it to the disk before the rename,
 * so a power cut too leaves one or the other: erasure asks for it. A recorder's begin and end
 * do not, because they run within the app's event and a flush can take tens of milliseconds
 * on a busy disk; a power cut may then lose the newest state, as it may lose the audio the
 * page cache still holds, and the board repairs it at boot (closeInterrupted). Synchronous
 * for the reason readManifest gives.
 */
export function writeManifest(path: string, manifest: EpochManifest, durable: boolean): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(manifest, null, 2)}\n`);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
