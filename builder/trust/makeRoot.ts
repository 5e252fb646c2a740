import { Metadata, Root } from '@tufjs/models';
import { tufRoles, type TufRole } from '../init/makeRoleKeys.js';
import type { TufKey } from '../init/tufPublicKey.js';
import { tufTime } from './trustLayout.js';

export interface RoleDefinition {
  readonly keys: readonly { readonly keyid: string; readonly key: TufKey }[];
  readonly threshold: number;
}

/**
 * Unsigned root metadata of `version`: every role's keys and threshold, valid until `expires`.
 * Built through Root.fromJSON, the one way @tufjs/models takes thresholds.
 */
export function makeRoot(version: number, expires: Date, roles: Readonly<Record<TufRole, RoleDefinition>>): Metadata<Root> {
  const keys: Record<string, { keytype: string; scheme: string; keyval: { public: string } }> = {};
  for (const role of tufRoles) for (const { keyid, key } of roles[role].keys) keys[keyid] = { keytype: key.keytype, scheme: key.scheme, keyval: { public: key.keyval.public } };
  const signed = Root.fromJSON({
    _type: 'root',
    spec_version: '1.0.31',
    version,
    expires: tufTime(expires),
    consistent_snapshot: false,
    keys,
    roles: Object.fromEntries(tufRoles.map((role) => [role, { keyids: roles[role].keys.map((key) => key.keyid), threshold: roles[role].threshold }])),
  });
  return new Metadata(signed);
}
