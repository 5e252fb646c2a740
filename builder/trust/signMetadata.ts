import { sign } from 'node:crypto';
import { Signature, type Metadata, type Root, type Snapshot, type Targets, type Timestamp } from '@tufjs/models';
import type { SigningKey } from '../build/signManifest.js';

/** Signs `metadata` (Ed25519 over the canonical JSON of `signed`, as @tufjs/models frames it) with every key given. */
export function signMetadata(metadata: Metadata<Root | Timestamp | Snapshot | Targets>, signers: readonly SigningKey[]): void {
  for (const { keyid, key } of signers) metadata.sign((data) => new Signature({ keyID: keyid, sig: sign(null, data, key).toString('hex') }));
}
