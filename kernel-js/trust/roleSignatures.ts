import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import type { TopLevelRole } from './parseMetadata.js';

export interface RoleSignatures {
  readonly role: TopLevelRole;
  /** The key ids of the role's keys whose signature verifies. */
  readonly valid: readonly string[];
  /** How many of them the root requires. */
  readonly threshold: number;
  /** How many keys the root names for the role. */
  readonly keys: number;
}

/**
 * Signatures that verified in this process, by key and the SHA-256 of the metadata file's bytes
 * (signatures included): verification is a pure function of both, so a restarted board or a
 * thousand simulated boards of one build check each signature once. Only successes are kept.
 */
const verified = new Set<string>();
const verifiedAtMost = 4_096;

/**
 * Which of the keys `root` names for `role` have signed `metadata` (whose file's bytes hash to
 * `digest`), against the role's threshold. The signature check itself is @tufjs/models'
 * (Ed25519 over the canonical JSON of `signed`). A key listed twice counts once.
 */
export function roleSignatures(root: Root, role: TopLevelRole, metadata: Metadata<Root | Timestamp | Snapshot | Targets>, digest: string): RoleSignatures {
  const definition = root.roles[role];
  if (definition === undefined) return { role, valid: [], threshold: 1, keys: 0 };
  const valid = new Set<string>();
  for (const keyid of new Set(definition.keyIDs)) {
    const key = root.keys[keyid];
    if (key === undefined) continue;
    const memo = `${keyid}\0${key.keyVal['public'] ?? ''}\0${digest}`;
    if (verified.has(memo)) {
      valid.add(keyid);
      continue;
    }
    try {
      key.verifySignature(metadata);
    } catch {
      continue;
    }
    if (verified.size >= verifiedAtMost) verified.clear();
    verified.add(memo);
    valid.add(keyid);
  }
  return { role, valid: [...valid], threshold: definition.threshold, keys: definition.keyIDs.length };
}
