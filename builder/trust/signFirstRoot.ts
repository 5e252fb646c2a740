import { InputError } from '../../lib/OsmoseError.js';
import { tufRoles, type RoleKey, type TufRole } from '../init/makeRoleKeys.js';
import { loadSigners } from './loadSigners.js';
import { makeRoot, type RoleDefinition } from './makeRoot.js';
import { signMetadata } from './signMetadata.js';
import { roleLifetimes } from './trustLayout.js';

/**
 * Root metadata version 1 for a new building (`keys/1.root.json`): one key per role, as
 * `osmose init` makes them, each role's threshold 1, signed by the root key (decrypted with
 * `passphrase`) and valid for a year from `now`. Returns the file's text.
 */
export async function signFirstRoot(root: string, keys: readonly RoleKey[], passphrase: string, now: Date): Promise<string> {
  const roles = {} as Record<TufRole, RoleDefinition>;
  for (const role of tufRoles) {
    const key = keys.find((candidate) => candidate.role === role);
    if (key === undefined) throw new InputError('keys.missing-role', `there is no ${role} key to name in the root metadata`, { data: { role } });
    roles[role] = { keys: [{ keyid: key.keyid, key: key.key }], threshold: 1 };
  }
  const metadata = makeRoot(1, new Date(now.getTime() + roleLifetimes.root), roles);
  const { signers } = await loadSigners(root, 'root', [roles.root.keys[0]?.keyid ?? ''], passphrase);
  signMetadata(metadata, signers);
  return rootText(metadata.toJSON());
}

/** Root metadata as committed: indented, since people review it in git. */
export function rootText(json: unknown): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}
