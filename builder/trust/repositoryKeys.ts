import type { Metadata, Root } from '@tufjs/models';
import { InputError } from '../../lib/OsmoseError.js';
import type { SigningKey } from '../build/signManifest.js';
import { loadSigners } from './loadSigners.js';
import { readRootChain, type RootVersion } from './readRootChain.js';

export interface RepositoryKeys {
  /** Every root version, oldest first. */
  readonly chain: readonly RootVersion[];
  /** The newest root: the keys and thresholds this build signs for. */
  readonly root: Metadata<Root>;
  readonly signers: { readonly targets: readonly SigningKey[]; readonly snapshot: readonly SigningKey[]; readonly timestamp: readonly SigningKey[] };
}

const onlineRoles = ['targets', 'snapshot', 'timestamp'] as const;

/**
 * What a build signs with: the building's root chain (from its files, `keys/<n>.root.json`),
 * checked, unexpired at `now`, and for each online role at least its threshold of the keys the
 * newest root names, from `.osmose/keys/`. Refused before anything is compiled or written.
 */
export async function repositoryKeys(root: string, files: ReadonlyMap<string, Uint8Array>, now: Date): Promise<RepositoryKeys> {
  const chain = readRootChain(files);
  const newest = chain?.at(-1);
  if (chain === undefined || newest === undefined) {
    throw new InputError('build.no-root-metadata', 'the building has no TUF root metadata (keys/1.root.json), so no board would trust what it builds', {
      hint: 'osmose init signs it; for a building made before, `osmose keys rotate root` signs its first root and a new root key',
      data: { root },
    });
  }
  const current = newest.metadata;
  if (current.signed.isExpired(now)) {
    throw new InputError('build.root-expired', `root metadata version ${current.signed.version} expired at ${current.signed.expires}; boards refuse updates signed under it`, {
      hint: 'sign a new root version: osmose keys rotate root',
      data: { version: current.signed.version, expires: current.signed.expires },
    });
  }
  const loaded = await Promise.all(onlineRoles.map((role) => loadSigners(root, role, current.signed.roles[role]?.keyIDs ?? [])));
  const short = loaded.filter((role) => role.signers.length < (current.signed.roles[role.role]?.threshold ?? 1));
  if (short.length > 0) {
    const problems = short.map((role) => `${role.role}: ${role.signers.length} of the ${current.signed.roles[role.role]?.threshold ?? 1} keys root ${current.signed.version} requires (missing ${role.missing.map((id) => id.slice(0, 16)).join(', ')})`);
    throw new InputError('build.signing-keys', `the build cannot sign its metadata: ${problems.join('; ')}`, {
      hint: "build where the building's private keys are (.osmose/keys/, never committed), or rotate the missing keys with osmose keys rotate ROLE",
      data: { roles: short.map((role) => ({ role: role.role, found: role.signers.map((s) => s.keyid), missing: role.missing })) },
    });
  }
  const [targets, snapshot, timestamp] = loaded.map((role) => role.signers) as [SigningKey[], SigningKey[], SigningKey[]];
  return { chain, root: current, signers: { targets, snapshot, timestamp } };
}
