import { createHash } from 'node:crypto';
import { Metadata, MetaFile, Snapshot, TargetFile, Targets, Timestamp, type Root } from '@tufjs/models';
import type { SigningKey } from '../build/signManifest.js';
import { signMetadata } from './signMetadata.js';
import { roleLifetimes, tufTime } from './trustLayout.js';

/** A file the targets role vouches for: its length, SHA-256 and, for a board's manifest, who and which version it is. */
export interface TargetEntry {
  readonly length: number;
  readonly sha256: string;
  readonly custom?: Readonly<Record<string, string | number>>;
}

export interface RepositoryInput {
  /** The targets metadata's files, by path (the ledger's). */
  readonly targets: ReadonlyMap<string, TargetEntry>;
  /** The last build's metadata versions: each new one is one more. */
  readonly previous: { readonly targets: number; readonly snapshot: number; readonly timestamp: number };
  readonly signers: { readonly targets: readonly SigningKey[]; readonly snapshot: readonly SigningKey[]; readonly timestamp: readonly SigningKey[] };
  /** When the metadata is signed: expiry counts from it. */
  readonly now: Date;
}

export interface SignedRepository {
  readonly targets: { readonly version: number; readonly bytes: Uint8Array; readonly metadata: Metadata<Targets> };
  readonly snapshot: { readonly version: number; readonly bytes: Uint8Array; readonly metadata: Metadata<Snapshot> };
  readonly timestamp: { readonly version: number; readonly bytes: Uint8Array; readonly metadata: Metadata<Timestamp> };
}

const specVersion = '1.0.31';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Compact: every board carries the building's targets.json, and a thousand boards' entries add up. */
const encode = (metadata: Metadata<Root | Targets | Snapshot | Timestamp>): Uint8Array => Buffer.from(`${JSON.stringify(metadata.toJSON())}\n`);

/**
 * Signs one build's online metadata with @tufjs/models: targets (every file a board is given,
 * by length and SHA-256), snapshot (targets.json's version, length and hash) and timestamp
 * (snapshot.json's), each one version past the last build's and expiring `roleLifetimes` after
 * `now`. The root that names the keys is signed offline and only copied by a build.
 */
export function signRepository(input: RepositoryInput): SignedRepository {
  const expires = (role: 'targets' | 'snapshot' | 'timestamp'): string => tufTime(new Date(input.now.getTime() + roleLifetimes[role]));

  const files: Record<string, TargetFile> = {};
  for (const path of [...input.targets.keys()].sort()) {
    const entry = input.targets.get(path);
    if (entry === undefined) continue;
    files[path] = new TargetFile({ path, length: entry.length, hashes: { sha256: entry.sha256 }, ...(entry.custom === undefined ? {} : { unrecognizedFields: { custom: { ...entry.custom } } }) });
  }
  const targetsVersion = input.previous.targets + 1;
  const targets = new Metadata(new Targets({ specVersion, version: targetsVersion, expires: expires('targets'), targets: files }));
  signMetadata(targets, input.signers.targets);
  const targetsBytes = encode(targets);

  const snapshotVersion = input.previous.snapshot + 1;
  const snapshot = new Metadata(
    new Snapshot({ specVersion, version: snapshotVersion, expires: expires('snapshot'), meta: { 'targets.json': new MetaFile({ version: targetsVersion, length: targetsBytes.length, hashes: { sha256: sha256(targetsBytes) } }) } }),
  );
  signMetadata(snapshot, input.signers.snapshot);
  const snapshotBytes = encode(snapshot);

  const timestampVersion = input.previous.timestamp + 1;
  const timestamp = new Metadata(
    new Timestamp({ specVersion, version: timestampVersion, expires: expires('timestamp'), snapshotMeta: new MetaFile({ version: snapshotVersion, length: snapshotBytes.length, hashes: { sha256: sha256(snapshotBytes) } }) }),
  );
  signMetadata(timestamp, input.signers.timestamp);
  return {
    targets: { version: targetsVersion, bytes: targetsBytes, metadata: targets },
    snapshot: { version: snapshotVersion, bytes: snapshotBytes, metadata: snapshot },
    timestamp: { version: timestampVersion, bytes: encode(timestamp), metadata: timestamp },
  };
}
