import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sealedFormat } from '../../drivers/enclave/sealedFormat.js';
import { epochFiles } from './EpochManifest.js';
import { subdirectories } from './listEpochs.js';
import { readManifest } from './readManifest.js';
import { readRecords } from './sealedRecords.js';
import { writeManifest } from './writeManifest.js';

export interface InterruptedReport {
  /** Epochs found open and closed as `interrupted`. */
  readonly closed: number;
  /** Directories with no manifest (a begin cut short), removed. */
  readonly removed: number;
}

/**
 * Closes the epochs a board left open when it stopped without dropping their keys (a crash, a
 * power cut, a kill): their keys died with the enclave's slots, so nothing more can go into
 * them. Each gets endReason `interrupted`, endedAt the time of its last write (retention counts
 * from there), and its counts from what is on disk; their voice activity, kept in memory until
 * the end, is lost. Run at boot, before the keeper begins anything.
 */
export async function closeInterrupted(dataDir: string): Promise<InterruptedReport> {
  let closed = 0;
  let removed = 0;
  for (const device of await subdirectories(dataDir)) {
    for (const epoch of await subdirectories(join(dataDir, device))) {
      const dir = join(dataDir, device, epoch);
      const path = join(dir, epochFiles.manifest);
      const manifest = readManifest(path);
      if (manifest === undefined) {
        rmSync(dir, { recursive: true, force: true });
        removed++;
        continue;
      }
      if (manifest.endedAt !== null) continue;
      const chunks = readRecords(join(dir, epochFiles.audio));
      writeManifest(path, {
        ...manifest,
        endedAt: lastWrite(dir).toISOString(),
        endReason: 'interrupted',
        chunks: chunks.length,
        bytes: chunks.reduce((sum, chunk) => sum + Math.max(0, chunk.length - sealedFormat.overhead), 0),
        records: readRecords(join(dir, epochFiles.records)).length,
        activity: [],
      }, true);
      closed++;
    }
  }
  return { closed, removed };
}

function lastWrite(dir: string): Date {
  const times = readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs);
  return new Date(Math.max(...times));
}
