import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { epochFiles } from './EpochManifest.js';
import { listEpochs } from './listEpochs.js';
import { readManifest } from './readManifest.js';
import { sizeOf } from './sweepExpired.js';
import { writeManifest } from './writeManifest.js';

/** What erasing one person removed from a board. */
export interface EraseReport {
  /** Epochs whose only member they were, removed whole. */
  readonly epochsRemoved: number;
  /** Their member entries (public key and wrapped key) removed from shared epochs. */
  readonly membershipsRemoved: number;
  /** Their channels' voice activity files removed from shared epochs. */
  readonly activityRemoved: number;
  readonly bytesRemoved: number;
}

/**
 * Erases one person (their raw X25519 public key) from a board's recordings. An epoch whose
 * only member they are is removed whole. In a shared one, their member entry goes (with it the
 * only copy of the key wrapped for them, so nothing of the epoch opens for them any more) and
 * so does their channel's voice activity; the others keep reading it. Afterwards no file under
 * the data directory holds their public key. An epoch still being recorded is erased the same
 * way: the keeper rewrites its manifest over what is on disk, so the entry does not come back.
 */
export async function eraseMember(dataDir: string, publicKey: Uint8Array): Promise<EraseReport> {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new InputError('record.bad-public-key', 'a person is erased by their raw 32-byte X25519 public key', { hint: 'give the key presence gave the board for them' });
  }
  const b64 = Buffer.from(publicKey).toString('base64');
  let epochsRemoved = 0;
  let membershipsRemoved = 0;
  let activityRemoved = 0;
  let bytesRemoved = 0;
  for (const { dir } of await listEpochs(dataDir)) {
    // Read again and rewritten in one turn: nothing else writes this manifest in between.
    const path = join(dir, epochFiles.manifest);
    const manifest = readManifest(path);
    const theirs = manifest?.members.filter((member) => member.publicKey === b64) ?? [];
    if (manifest === undefined || theirs.length === 0) continue;
    if (theirs.length === manifest.members.length) {
      bytesRemoved += sizeOf(dir);
      rmSync(dir, { recursive: true, force: true });
      epochsRemoved++;
      continue;
    }
    const channels = new Set(theirs.map((member) => member.seat).filter((seat) => manifest.channels === null || seat < manifest.channels));
    for (const channel of channels) {
      const file = join(dir, epochFiles.activity(channel));
      const bytes = sizeOf(file);
      rmSync(file, { force: true });
      if (bytes > 0 || manifest.activity.includes(channel)) activityRemoved++;
      bytesRemoved += bytes;
    }
    const before = sizeOf(path);
    writeManifest(path, {
      ...manifest,
      members: manifest.members.filter((member) => member.publicKey !== b64),
      erased: manifest.erased + theirs.length,
      activity: manifest.activity.filter((channel) => !channels.has(channel)),
    }, true);
    bytesRemoved += Math.max(0, before - sizeOf(path));
    membershipsRemoved += theirs.length;
  }
  return { epochsRemoved, membershipsRemoved, activityRemoved, bytesRemoved };
}
