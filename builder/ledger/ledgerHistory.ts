import fs from 'node:fs';
import git from 'isomorphic-git';
import type { BuildRecord } from '../build/BoardImage.js';
import { ledgerLayout } from './ledgerLayout.js';
import { ledgerRef } from './ledgerRef.js';

export interface LedgerEntry {
  readonly commit: string;
  /** Seconds since the epoch. */
  readonly time: number;
  readonly message: string;
  readonly record: BuildRecord | undefined;
}

/** The ledger's builds, newest first; empty before the first build. */
export async function ledgerHistory(root: string, limit?: number): Promise<LedgerEntry[]> {
  let commits;
  try {
    commits = await git.log({ fs, dir: root, ref: ledgerRef, ...(limit === undefined ? {} : { depth: limit }) });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return [];
    throw error;
  }
  const entries: LedgerEntry[] = [];
  for (const { oid, commit } of commits) {
    entries.push({ commit: oid, time: commit.committer.timestamp, message: commit.message, record: await readJson<BuildRecord>(root, oid, ledgerLayout.build) });
  }
  return entries;
}

/** A JSON file of a ledger commit, or undefined when the commit does not hold it. */
export async function readJson<T>(root: string, commit: string, path: string): Promise<T | undefined> {
  try {
    const { blob } = await git.readBlob({ fs, dir: root, oid: commit, filepath: path });
    return JSON.parse(new TextDecoder().decode(blob)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}
