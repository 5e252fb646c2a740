import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { openSealed, rawX25519PublicKey, unwrapKeyWith } from '../../drivers/index.js';
import { InputError } from '../../lib/OsmoseError.js';
import { KernelError } from '../KernelError.js';
import { epochContext, epochFiles, type EpochManifest } from './EpochManifest.js';
import { readManifest } from './readManifest.js';
import { parseRecords } from './sealedRecords.js';
import type { Segment } from './VoiceActivity.js';

/** One channel's derived record: when it carried speech, and whose seat it is. */
export interface EpochActivity {
  readonly channel: number;
  /** The member's seat at this channel (seat i is channel i), null for a channel beyond the members. */
  readonly seat: number | null;
  readonly segments: readonly Segment[];
}

/** What a participant reads of an epoch. */
export interface OpenedEpoch {
  readonly manifest: EpochManifest;
  /** Every sample recorded, channels interleaved (manifest.channels of them), in order. */
  readonly pcm: Int16Array;
  readonly activity: readonly EpochActivity[];
  /** What the app sealed itself (enclave.seal), in order. */
  readonly records: readonly Uint8Array[];
}

/**
 * Opens an epoch as one of its participants: their X25519 private key unwraps the key wrapped
 * for them (bound to this epoch's id), and that key opens the audio, the voice activity and the
 * app's records, with no enclave and on any machine. Someone whose public key is not among the
 * members (never there, or erased since) is refused with `record.not-a-participant`; a changed
 * byte of the data fails with `enclave.tampered`. Works on an epoch still being written too.
 */
export async function openEpoch(epochDir: string, privateKey: KeyObject): Promise<OpenedEpoch> {
  const manifest = readManifest(join(epochDir, epochFiles.manifest));
  if (manifest === undefined) throw new InputError('record.no-epoch', `${epochDir} holds no key epoch (no ${epochFiles.manifest})`, { hint: 'listEpochs gives the epochs kept', data: { dir: epochDir } });
  const mine = Buffer.from(rawX25519PublicKey(privateKey)).toString('base64');
  const member = manifest.members.find((m) => m.publicKey === mine);
  const refused = (why: string, cause?: unknown): InputError =>
    new InputError('record.not-a-participant', `this key cannot open epoch ${manifest.epoch}: ${why}`, {
      hint: 'each person reads only the epochs they were present for, with their own private key',
      data: { epoch: manifest.epoch, dir: epochDir },
      ...(cause === undefined ? {} : { cause }),
    });
  if (member === undefined) throw refused('its public key is not among the members');
  if (member.wrappedKey === null) throw refused(`the policy discloses it to ${manifest.disclose ?? 'nobody'}, so no key was wrapped for its members`);
  let key: Uint8Array;
  try {
    key = unwrapKeyWith(privateKey, Buffer.from(member.wrappedKey, 'base64'), epochContext(manifest.epoch));
  } catch (cause) {
    throw refused('the key wrapped for its public key does not open with it', cause);
  }
  try {
    const pcm = samples((await recordsIn(join(epochDir, epochFiles.audio))).map((sealed) => openSealed(key, sealed)));
    const activity: EpochActivity[] = [];
    for (const channel of manifest.activity) {
      const path = join(epochDir, epochFiles.activity(channel));
      const [sealed] = await recordsIn(path);
      if (sealed === undefined) throw new KernelError('record.missing', `${path} is named in the manifest but holds no record`, { data: { path } });
      activity.push(JSON.parse(new TextDecoder().decode(openSealed(key, sealed))) as EpochActivity);
    }
    const records = (await recordsIn(join(epochDir, epochFiles.records))).map((sealed) => openSealed(key, sealed));
    return { manifest, pcm, activity, records };
  } finally {
    key.fill(0);
  }
}

/** The sealed records of one of the epoch's files; none when it is not there (nothing was recorded). */
async function recordsIn(path: string): Promise<Uint8Array[]> {
  try {
    return parseRecords(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Little-endian 16-bit PCM chunks as one run of samples. */
function samples(chunks: readonly Uint8Array[]): Int16Array {
  const total = chunks.reduce((sum, chunk) => sum + (chunk.length >> 1), 0);
  const pcm = new Int16Array(total);
  let at = 0;
  for (const chunk of chunks) {
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = 0; i + 1 < chunk.length; i += 2) pcm[at++] = view.getInt16(i, true);
  }
  return pcm;
}

