import { InputError } from '../../lib/OsmoseError.js';
import { tufRoles, type TufRole } from '../init/makeRoleKeys.js';
import { ledgerHead } from '../ledger/ledgerHead.js';
import { readJson } from '../ledger/ledgerHistory.js';
import { buildingRootChain } from './buildingRootChain.js';
import { roleKeyFiles } from './roleKeyFiles.js';
import { repositoryLayout, roleLifetimes } from './trustLayout.js';

export interface RoleKeysListing {
  readonly role: TufRole;
  /** How many of the keys must sign. */
  readonly threshold: number;
  readonly keys: readonly {
    readonly keyid: string;
    /** Where the private half is kept here (`.osmose/keys/…`), or null when it is not in this building. */
    readonly private: string | null;
    /** True for root's, which is encrypted with the root passphrase. */
    readonly encrypted: boolean;
  }[];
  /** The role's current metadata: root's from keys/, the others' from the ledger's latest build; null before the first build. */
  readonly version: number | null;
  readonly expires: string | null;
  /** How long the role's metadata is valid once signed, in days. */
  readonly lifetimeDays: number;
}

/**
 * The building's trust as its newest root metadata states it: for each role the keys it names
 * (and whether their private halves are kept here), the threshold, and the version and expiry
 * of the role's current metadata.
 */
export async function listRoleKeys(root: string): Promise<{ readonly root: number; readonly roles: readonly RoleKeysListing[] }> {
  const chain = await buildingRootChain(root);
  const current = chain?.at(-1)?.metadata;
  if (current === undefined) {
    throw new InputError('keys.no-root-metadata', 'the building has no TUF root metadata (keys/1.root.json)', {
      hint: 'osmose init signs it; for a building made before, `osmose keys rotate root` signs its first root',
      data: { root },
    });
  }
  const files = await roleKeyFiles(root);
  const head = await ledgerHead(root);
  const roles: RoleKeysListing[] = [];
  for (const role of tufRoles) {
    const definition = current.signed.roles[role];
    const metadata =
      role === 'root'
        ? { signed: { version: current.signed.version, expires: current.signed.expires } }
        : head === undefined
          ? undefined
          : await readJson<{ signed: { version: number; expires: string } }>(root, head, repositoryLayout[role]);
    roles.push({
      role,
      threshold: definition?.threshold ?? 1,
      keys: (definition?.keyIDs ?? []).map((keyid) => {
        const file = files.find((candidate) => candidate.role === role && candidate.keyid === keyid && candidate.hasPrivate);
        return { keyid, private: file?.privateFile ?? null, encrypted: role === 'root' };
      }),
      version: metadata?.signed.version ?? null,
      expires: metadata?.signed.expires ?? null,
      lifetimeDays: roleLifetimes[role] / (24 * 60 * 60 * 1000),
    });
  }
  return { root: current.signed.version, roles };
}
