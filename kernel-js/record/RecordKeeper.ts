import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioFormat, Enclave, KeyHandle } from '../../drivers/index.js';
import type { KernelFragment } from '../boot/KernelImage.js';
import type { KernelEpoch, KernelEpochAudio, KernelEpochEnd, KernelEpochStart, KernelRecordKeeper } from '../host/KernelDevices.js';
import { KernelError } from '../KernelError.js';
import { epochContext, epochFiles, type EpochEndReason, type EpochManifest, type EpochMember } from './EpochManifest.js';
import { readManifest } from './readManifest.js';
import { appendRecord } from './sealedRecords.js';
import { VoiceActivity, type VoiceActivityOptions } from './VoiceActivity.js';
import { writeManifest } from './writeManifest.js';

/** A key epoch beginning or ending, as the simulator journals it (leave → pause is measured from it). */
export interface RecordingEvent {
  readonly board: string;
  readonly device: string;
  readonly epoch: string;
  readonly kind: 'begin' | 'end';
  readonly reason?: EpochEndReason;
  readonly members: number;
  /** performance.now() when it happened. */
  readonly at: number;
}

export interface RecordKeeperOptions {
  /** The board's data directory (`data/` in the board directory): epochs go in `<device>/<epoch>/` under it. */
  readonly dataDir: string;
  readonly board: string;
  /** The board's fragments: each one's retain and disclose govern the epochs of the keys it derives. */
  readonly fragments: readonly KernelFragment[];
  readonly onRecording?: (event: RecordingEvent) => void;
  /** The clock for startedAt and endedAt (retention counts from endedAt). */
  readonly now?: () => Date;
  /** How voice activity is found (threshold, frame, hangover). */
  readonly voiceActivity?: Omit<VoiceActivityOptions, 'rate' | 'channels'>;
}

/**
 * Where a board keeps its recordings: one directory per key epoch, begun when an app derives a
 * group key. The key is wrapped there for each member with the epoch id as context (unless the
 * policy discloses to nobody), so each participant can read what they were present for and
 * nobody else can; the audio is sealed chunk by chunk as it arrives, and when the key is
 * dropped, each channel's voice activity (computed from the plaintext on the way) is sealed
 * under the same key. Retention (sweepExpired) and erasure (eraseMember) act on what it writes.
 */
export class RecordKeeper implements KernelRecordKeeper {
  readonly #o: RecordKeeperOptions;

  constructor(options: RecordKeeperOptions) {
    this.#o = options;
  }

  begin(start: KernelEpochStart): KernelEpoch {
    const fragment = this.#o.fragments.find((f) => f.instance === start.fragment);
    return new OpenEpoch(this.#o, start, { retainMs: fragment?.retain?.ms ?? null, disclose: fragment?.disclose?.to ?? null });
  }
}

/** `20261127T102641123Z-` and 64 random bits: sortable by start, never the same twice. */
function epochId(at: Date): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(8).toString('hex')}`;
}

class OpenEpoch implements KernelEpoch {
  readonly id: string;
  readonly #o: RecordKeeperOptions;
  readonly #enclave: Enclave;
  readonly #key: KeyHandle;
  readonly #dir: string;
  readonly #device: string;
  readonly #members: number;
  #manifest: EpochManifest;
  #format: AudioFormat | undefined;
  #activity: VoiceActivity | undefined;
  #recording = false;
  #ended = false;

  constructor(options: RecordKeeperOptions, start: KernelEpochStart, policy: Pick<EpochManifest, 'retainMs' | 'disclose'>) {
    this.#o = options;
    this.#enclave = start.enclave;
    this.#key = start.key;
    this.#device = start.device;
    const now = (options.now ?? (() => new Date()))();
    this.id = epochId(now);
    this.#dir = join(options.dataDir, start.device, this.id);
    // One entry per person: the same key given twice keeps its first seat.
    const seen = new Set<string>();
    const people = start.members.filter((key) => {
      const b64 = Buffer.from(key).toString('base64');
      return seen.has(b64) ? false : (seen.add(b64), true);
    });
    this.#members = people.length;
    const context = epochContext(this.id);
    const members: EpochMember[] = people.map((publicKey, seat) => ({
      seat,
      channel: null,
      publicKey: Buffer.from(publicKey).toString('base64'),
      wrappedKey: policy.disclose === 'nobody' ? null : Buffer.from(start.enclave.wrapKey(start.key, publicKey, context)).toString('base64'),
    }));
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    this.#manifest = {
      format: 1,
      epoch: this.id,
      board: options.board,
      device: start.device,
      fragment: start.fragment,
      startedAt: now.toISOString(),
      endedAt: null,
      endReason: null,
      ...policy,
      members,
      erased: 0,
      chunks: 0,
      bytes: 0,
      rate: null,
      channels: null,
      records: 0,
      activity: [],
    };
    writeManifest(join(this.#dir, epochFiles.manifest), this.#manifest, false);
    this.#tell('begin');
  }

  audio(format: AudioFormat): KernelEpochAudio {
    this.#assertOpen();
    if (this.#recording) throw new KernelError('record.busy', `key epoch ${this.id} is already recording a microphone; one at a time`, { data: { epoch: this.id } });
    if (this.#format === undefined) {
      this.#format = { rate: format.rate, channels: format.channels };
      this.#activity = new VoiceActivity({ ...this.#o.voiceActivity, ...this.#format });
      this.#update({ rate: format.rate, channels: format.channels });
    } else if (this.#format.rate !== format.rate || this.#format.channels !== format.channels) {
      throw new KernelError('record.format', `key epoch ${this.id} records ${this.#format.channels} channels at ${this.#format.rate} Hz; a microphone of ${format.channels} at ${format.rate} Hz would not fit in it`, {
        hint: 'record that microphone under a key of its own',
        data: { epoch: this.id },
      });
    }
    this.#recording = true;
    let released = false;
    return {
      write: (pcm) => {
        this.#assertOpen();
        if (released) throw new KernelError('record.released', `this microphone no longer records into key epoch ${this.id}`, { data: { epoch: this.id } });
        this.#activity?.push(pcm);
        const sealed = this.#enclave.seal(this.#key, littleEndian(pcm));
        appendRecord(join(this.#dir, epochFiles.audio), sealed);
        this.#manifest = { ...this.#manifest, chunks: this.#manifest.chunks + 1, bytes: this.#manifest.bytes + pcm.length * 2 };
      },
      release: () => {
        if (released) return;
        released = true;
        this.#recording = false;
      },
    };
  }

  seal(data: Uint8Array): void {
    this.#assertOpen();
    appendRecord(join(this.#dir, epochFiles.records), this.#enclave.seal(this.#key, data));
    this.#manifest = { ...this.#manifest, records: this.#manifest.records + 1 };
  }

  end(reason: KernelEpochEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = (this.#o.now ?? (() => new Date()))();
    this.#tell('end', reason);
    // The epoch is closed on disk even when its derived record could not be sealed (the enclave
    // failed): retention must be able to count from its end.
    let kept: number[] = [];
    let failure: Error | undefined;
    try {
      kept = this.#sealActivity();
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    this.#update({ endedAt: now.toISOString(), endReason: reason, chunks: this.#manifest.chunks, bytes: this.#manifest.bytes, records: this.#manifest.records, activity: kept });
    if (failure !== undefined) throw failure;
  }

  /** Seals each channel's voice activity under the epoch's key, but not the channel of a member erased meanwhile. */
  #sealActivity(): number[] {
    const segments = this.#activity?.segments();
    const onDisk = readManifest(join(this.#dir, epochFiles.manifest));
    if (segments === undefined || onDisk === undefined) return [];
    const seats = new Set(onDisk.members.map((member) => member.seat));
    const kept: number[] = [];
    for (const [channel, list] of segments.entries()) {
      const seat = channel < this.#members ? channel : null;
      if (seat !== null && !seats.has(seat)) continue;
      const record = { channel, seat, segments: list };
      const sealed = this.#enclave.seal(this.#key, new TextEncoder().encode(JSON.stringify(record)));
      appendRecord(join(this.#dir, epochFiles.activity(channel)), sealed);
      kept.push(channel);
    }
    return kept;
  }

  /**
   * Rewrites the manifest with what the keeper owns, on top of what is on disk now: erasure may
   * have removed members (or the whole epoch, and then nothing is written back).
   */
  #update(change: Partial<EpochManifest>): void {
    const path = join(this.#dir, epochFiles.manifest);
    const onDisk = readManifest(path);
    if (onDisk === undefined) return;
    const channels = change.channels ?? this.#manifest.channels;
    const members = onDisk.members.map((member) => ({ ...member, channel: channels !== null && member.seat < channels ? member.seat : null }));
    this.#manifest = { ...this.#manifest, ...change, members, erased: onDisk.erased };
    writeManifest(path, this.#manifest, false);
  }

  #tell(kind: RecordingEvent['kind'], reason?: EpochEndReason): void {
    try {
      this.#o.onRecording?.({ board: this.#o.board, device: this.#device, epoch: this.id, kind, ...(reason === undefined ? {} : { reason }), members: this.#members, at: performance.now() });
    } catch {
      // A journal that fails must not stop the recording (or its pause).
    }
  }

  #assertOpen(): void {
    if (this.#ended) throw new KernelError('record.ended', `key epoch ${this.id} has ended; nothing more goes into it`, { data: { epoch: this.id } });
  }
}

/** PCM as it is sealed: 16-bit little-endian whatever the host's byte order. */
function littleEndian(pcm: Int16Array): Uint8Array {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i] ?? 0, true);
  return bytes;
}
