import { createHash, getHashes } from 'node:crypto';

/** What TUF metadata records of a file: a target's length and hashes, or a snapshot's or timestamp's (length and hashes optional). */
export interface FileInfo {
  readonly length?: number | undefined;
  readonly hashes?: Readonly<Record<string, string>> | undefined;
}

export type FileCheck = 'ok' | 'longer' | 'shorter' | 'digest';

const available = new Set(getHashes().map((name) => name.toLowerCase()));

/**
 * Whether `bytes` are the file `info` describes: its length, then every hash it lists (a hash
 * this Node.js lacks is a mismatch, never skipped). Synchronous, unlike @tufjs/models'
 * TargetFile.verify (a stream), because the shim reads a slot's few small files synchronously.
 * `longer` is TUF's endless-data case: the caller has read at most length + 1 bytes.
 */
export function fileMatches(info: FileInfo, bytes: Uint8Array): FileCheck {
  if (info.length !== undefined) {
    if (bytes.length > info.length) return 'longer';
    if (bytes.length < info.length) return 'shorter';
  }
  for (const [algorithm, expected] of Object.entries(info.hashes ?? {})) {
    if (!available.has(algorithm.toLowerCase())) return 'digest';
    if (createHash(algorithm).update(bytes).digest('hex') !== expected.toLowerCase()) return 'digest';
  }
  return 'ok';
}
