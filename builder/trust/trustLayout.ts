import type { TufRole } from '../init/makeRoleKeys.js';

/**
 * Where the building's TUF metadata lives. The root metadata is signed offline (by `osmose
 * init` and `osmose keys rotate`, with the root passphrase) and committed in the building
 * repository beside the public keys, every version kept: `keys/<version>.root.json`. Each
 * build copies that chain into its ledger commit and signs the online roles' metadata there:
 *
 *     repository/<version>.root.json   every root version, the chain a board walks
 *     repository/root.json             the newest root
 *     repository/targets.json          per board: its manifest, configuration and modules
 *     repository/snapshot.json         the version, length and hash of targets.json
 *     repository/timestamp.json        the version, length and hash of snapshot.json
 *
 * consistent_snapshot is off: the ledger's git history already keeps every version of every
 * file, and a board reads one build's files, never a live repository.
 */
export const repositoryLayout = {
  root: 'repository/root.json',
  rootVersion: (version: number): string => `repository/${version}.root.json`,
  targets: 'repository/targets.json',
  snapshot: 'repository/snapshot.json',
  timestamp: 'repository/timestamp.json',
} as const;

/** The file name (without extension) of a role's n-th key: `keys/<name>.json`, `.osmose/keys/<name>.pem`. */
export function keyFileName(role: TufRole, index: number): string {
  return index === 1 ? role : `${role}.${index}`;
}

/** A root version in the building repository. */
export const rootMetadataFile = (version: number): string => `keys/${version}.root.json`;
export const rootMetadataPattern = /^keys\/([1-9][0-9]*)\.root\.json$/;

const day = 24 * 60 * 60 * 1000;

/**
 * How long each role's metadata stays valid after it is signed. Root is signed by hand with an
 * offline key, so it lives longest; timestamp is the freshness guarantee, so it lives a day.
 */
export const roleLifetimes: Readonly<Record<TufRole, number>> = {
  root: 365 * day,
  targets: 90 * day,
  snapshot: 7 * day,
  timestamp: day,
};

/** TUF's time format: ISO 8601 in UTC, to the second. */
export function tufTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
