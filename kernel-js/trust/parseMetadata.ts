import { createHash } from 'node:crypto';
import { Metadata, MetadataKind, type Root, type Snapshot, type Targets, type Timestamp } from '@tufjs/models';
import { parseTargetsMetadata } from './parseTargetsMetadata.js';

/** The four top-level TUF roles' metadata, by role name. */
export interface RoleMetadata {
  readonly root: Metadata<Root>;
  readonly timestamp: Metadata<Timestamp>;
  readonly snapshot: Metadata<Snapshot>;
  readonly targets: Metadata<Targets>;
}
export type TopLevelRole = keyof RoleMetadata;

type FromJsonInput = Parameters<typeof Metadata.fromJSON>[1];

/**
 * Metadata parsed in this process, by role and the SHA-256 of its bytes: a thousand simulated
 * boards of one build carry the same targets.json, parsed once. The parsed objects are never
 * changed after parsing.
 */
const parsed = new Map<string, RoleMetadata[TopLevelRole]>();
const parsedAtMost = 256;

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * TUF metadata of `role` from a file's bytes (`{ signed, signatures }` JSON), with
 * @tufjs/models checking its shape and `_type`. Throws (a TypeError or the library's
 * ValueError) when the bytes are not that role's metadata; verifies no signature.
 */
export function parseMetadata<R extends TopLevelRole>(role: R, bytes: Uint8Array, digest: string = sha256Hex(bytes)): RoleMetadata[R] {
  const key = `${role}:${digest}`;
  const known = parsed.get(key);
  if (known !== undefined) return known as RoleMetadata[R];
  const json: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError(`${role} metadata is not a JSON object`);
  const metadata = fromJson(role, json as FromJsonInput);
  if (parsed.size >= parsedAtMost) parsed.clear();
  parsed.set(key, metadata);
  return metadata as RoleMetadata[R];
}

function fromJson(role: TopLevelRole, json: FromJsonInput): RoleMetadata[TopLevelRole] {
  switch (role) {
    case 'root':
      return Metadata.fromJSON(MetadataKind.Root, json);
    case 'timestamp':
      return Metadata.fromJSON(MetadataKind.Timestamp, json);
    case 'snapshot':
      return Metadata.fromJSON(MetadataKind.Snapshot, json);
    case 'targets':
      return parseTargetsMetadata(json);
  }
}
