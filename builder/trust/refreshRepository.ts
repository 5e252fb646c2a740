import { Metadata, MetadataKind } from '@tufjs/models';
import { readJson } from '../ledger/ledgerHistory.js';
import { readLedgerTree } from '../ledger/readLedgerTree.js';
import { writeLedgerCommit } from '../ledger/writeLedgerCommit.js';
import { repositoryKeys } from './repositoryKeys.js';
import { signRepository, type TargetEntry } from './signRepository.js';
import { repositoryLayout, roleLifetimes } from './trustLayout.js';

export interface Refreshed {
  readonly commit: string;
  readonly versions: { readonly root: number; readonly targets: number; readonly snapshot: number; readonly timestamp: number };
}

type FromJson = Parameters<typeof Metadata.fromJSON>[1];
const online = ['targets', 'snapshot', 'timestamp'] as const;

/**
 * Keeps the ledger's online metadata fresh when nothing else changed: when the latest build's
 * targets, snapshot or timestamp metadata has used up half its lifetime by `now` (the timestamp
 * lives a day), all three are signed again, one version on, listing the same files, and
 * recorded as a ledger commit of their own (the build's other files unchanged). Undefined when
 * nothing needed it. What a repository's timestamp service does, run by `osmose build`.
 */
export async function refreshRepository(options: { readonly root: string; readonly commit: string; readonly sources: ReadonlyMap<string, Uint8Array>; readonly now: Date; readonly timestamp: number }): Promise<Refreshed | undefined> {
  const { root, commit, now } = options;
  const json = async (path: string): Promise<FromJson | undefined> => readJson<FromJson>(root, commit, path);
  const [targetsJson, snapshotJson, timestampJson] = await Promise.all(online.map((role) => json(repositoryLayout[role])));
  if (targetsJson === undefined || snapshotJson === undefined || timestampJson === undefined) return undefined;
  const current = {
    targets: Metadata.fromJSON(MetadataKind.Targets, targetsJson),
    snapshot: Metadata.fromJSON(MetadataKind.Snapshot, snapshotJson),
    timestamp: Metadata.fromJSON(MetadataKind.Timestamp, timestampJson),
  };
  const stale = online.filter((role) => Date.parse(current[role].signed.expires) - now.getTime() < roleLifetimes[role] / 2);
  if (stale.length === 0) return undefined;

  const keys = await repositoryKeys(root, options.sources, now);
  const targets = new Map<string, TargetEntry>();
  for (const [path, file] of Object.entries(current.targets.signed.targets)) {
    const sha256 = file.hashes['sha256'];
    if (sha256 === undefined) continue;
    const custom = file.custom as Record<string, string | number>;
    targets.set(path, { length: file.length, sha256, ...(Object.keys(custom).length === 0 ? {} : { custom }) });
  }
  const repository = signRepository({
    targets,
    previous: { targets: current.targets.signed.version, snapshot: current.snapshot.signed.version, timestamp: current.timestamp.signed.version },
    signers: keys.signers,
    now,
  });
  const tree = await readLedgerTree(root, commit);
  const files = new Map<string, Uint8Array | { oid: string }>([...(tree?.files ?? new Map<string, string>())].map(([path, oid]) => [path, { oid }]));
  files.set(repositoryLayout.targets, repository.targets.bytes);
  files.set(repositoryLayout.snapshot, repository.snapshot.bytes);
  files.set(repositoryLayout.timestamp, repository.timestamp.bytes);
  const written = await writeLedgerCommit({
    root,
    files,
    author: { name: 'osmose builder', email: 'builder@osmose.invalid' },
    timestamp: options.timestamp,
    message: `Sign the update metadata again: ${stale.join(', ')} near expiry\n\nTargets ${repository.targets.version}, snapshot ${repository.snapshot.version}, timestamp ${repository.timestamp.version}, over the files of build ${commit.slice(0, 12)}.\n`,
  });
  return {
    commit: written.commit,
    versions: { root: keys.root.signed.version, targets: repository.targets.version, snapshot: repository.snapshot.version, timestamp: repository.timestamp.version },
  };
}
