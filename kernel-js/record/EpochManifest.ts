import type { KernelEpochEnd } from '../host/KernelDevices.js';

/** Why an epoch ended: as the app dropped its key, or `interrupted` when the board stopped with it open (its key died with the enclave's slots). */
export type EpochEndReason = KernelEpochEnd | 'interrupted';

/** One participant of a key epoch. */
export interface EpochMember {
  /** Arrival order among the members: seat i sits at channel i of the microphone. */
  readonly seat: number;
  /** The microphone channel taken as this member's, null when the microphone has fewer channels (or none recorded yet). */
  readonly channel: number | null;
  /** Their raw X25519 public key, base64. */
  readonly publicKey: string;
  /** The epoch's key wrapped for them (wrapKeyFor, context = the epoch id), base64; null when the policy discloses to nobody. */
  readonly wrappedKey: string | null;
}

/**
 * `manifest.json` of a key epoch: everything about it except its data, which is sealed in the
 * files beside it. Written whole to a temporary file and renamed over the old one, so a power
 * cut leaves either the old manifest or the new one.
 */
export interface EpochManifest {
  readonly format: 1;
  readonly epoch: string;
  readonly board: string;
  /** The enclave device it was sealed in. */
  readonly device: string;
  /** The fragment instance that derived the key. */
  readonly fragment: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endReason: EpochEndReason | null;
  /** How long after endedAt it is kept (the fragment's retain); null: until someone erases it. */
  readonly retainMs: number | null;
  /** Who may read it (the fragment's disclose); null when the policy names nobody in particular: its participants. */
  readonly disclose: string | null;
  readonly members: readonly EpochMember[];
  /** Members removed by erasure since: their entries are gone, their seats stay unfilled. */
  readonly erased: number;
  /** Sealed audio chunks in audio.sealed, and the PCM bytes they hold. */
  readonly chunks: number;
  readonly bytes: number;
  /** The recorded microphone's format; null until audio arrives. */
  readonly rate: number | null;
  readonly channels: number | null;
  /** Records the app sealed itself (enclave.seal), in records.sealed. */
  readonly records: number;
  /** The channels whose voice activity is kept (activity-<channel>.sealed). */
  readonly activity: readonly number[];
}

/** The files of an epoch's directory, `data/<device>/<epoch>/`. */
export const epochFiles = {
  manifest: 'manifest.json',
  /** Records of a 4-byte little-endian length and one sealed chunk of PCM (16-bit little-endian, channels interleaved). */
  audio: 'audio.sealed',
  /** The same framing, one record per enclave.seal. */
  records: 'records.sealed',
  /** One sealed JSON EpochActivity per channel. */
  activity: (channel: number): string => `activity-${channel}.sealed`,
} as const;

/**
 * What a wrapped key is bound to (wrapKeyFor's context): the epoch id, UTF-8. Ids are unique
 * (a time and 64 random bits), so a wrapped key carried into another epoch's manifest does not open.
 */
export function epochContext(epoch: string): Uint8Array {
  return new TextEncoder().encode(epoch);
}
