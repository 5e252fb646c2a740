import { readFileSync } from 'node:fs';
import { KernelError } from '../KernelError.js';
import type { EpochManifest } from './EpochManifest.js';

/**
 * An epoch's manifest, checked enough that what reads it can trust its shape; undefined when
 * the file is not there (the epoch was removed). Synchronous on purpose: the keeper, the sweep
 * and erasure each read and rewrite a manifest within one turn of the event loop, so within
 * one process none of them ever overwrites what another just wrote.
 */
export function readManifest(path: string): EpochManifest | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw bad(path, 'it is not JSON', cause);
  }
  const problem = manifestProblem(value);
  if (problem !== undefined) throw bad(path, problem);
  return value as EpochManifest;
}

function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not an object';
  const m = value as Record<string, unknown>;
  if (m['format'] !== 1) return `format is ${JSON.stringify(m['format'])}, this shim reads format 1`;
  for (const field of ['epoch', 'board', 'device', 'fragment', 'startedAt']) if (typeof m[field] !== 'string') return `${field} is not a string`;
  for (const field of ['chunks', 'bytes', 'records', 'erased']) if (!Number.isInteger(m[field])) return `${field} is not a whole number`;
  if (m['endedAt'] !== null && typeof m['endedAt'] !== 'string') return 'endedAt is neither null nor a time';
  if (m['retainMs'] !== null && typeof m['retainMs'] !== 'number') return 'retainMs is neither null nor a number';
  if (!Array.isArray(m['activity']) || !m['activity'].every(Number.isInteger)) return 'activity is not a list of channels';
  if (!Array.isArray(m['members'])) return 'members is not a list';
  for (const [index, member] of (m['members'] as unknown[]).entries()) {
    const entry = member as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || !Number.isInteger(entry['seat']) || typeof entry['publicKey'] !== 'string' || (entry['wrappedKey'] !== null && typeof entry['wrappedKey'] !== 'string')) {
      return `members[${index}] is not { seat, channel, publicKey, wrappedKey }`;
    }
  }
  return undefined;
}

function bad(path: string, why: string, cause?: unknown): KernelError {
  return new KernelError('record.bad-manifest', `${path} is not an epoch manifest: ${why}`, {
    hint: 'it was written by something else, or by a newer shim; move the epoch\'s directory aside to keep the others readable',
    data: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}
