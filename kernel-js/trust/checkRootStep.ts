import type { Metadata, Root } from '@tufjs/models';
import { roleSignatures, type RoleSignatures } from './roleSignatures.js';

/**
 * Why `next` may not follow `trusted` in a root chain, or undefined when it may: TUF's rule for
 * a root update (5.3.4–5.3.5), that version N+1 is signed by a threshold of version N's root
 * keys and by a threshold of its own, so that neither the old keys alone nor the new ones alone
 * can move a client to a new root. `digest` is the SHA-256 of next's file.
 */
export function checkRootStep(trusted: Metadata<Root>, next: Metadata<Root>, digest: string): string | undefined {
  const version = trusted.signed.version + 1;
  if (next.signed.version !== version) return `${version}.root.json holds root version ${next.signed.version}, not ${version}`;
  const byOld = roleSignatures(trusted.signed, 'root', next, digest);
  if (byOld.valid.length < byOld.threshold) return `root ${version} carries ${count(byOld)} by root ${trusted.signed.version}'s root keys; it needs ${byOld.threshold}`;
  const byNew = roleSignatures(next.signed, 'root', next, digest);
  if (byNew.valid.length < byNew.threshold) return `root ${version} carries ${count(byNew)} by its own root keys; it needs ${byNew.threshold}`;
  return undefined;
}

function count(signatures: RoleSignatures): string {
  return `${signatures.valid.length} valid signature${signatures.valid.length === 1 ? '' : 's'}`;
}
