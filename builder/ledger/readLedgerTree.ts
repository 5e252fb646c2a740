import fs from 'node:fs';
import git from 'isomorphic-git';
import { ledgerRef } from './ledgerRef.js';
import { treeFiles } from './treeFiles.js';

export interface LedgerTree {
  readonly commit: string;
  /** Every file in the commit's tree: path → blob id. */
  readonly files: ReadonlyMap<string, string>;
}

/** The ledger's head (or `commit`) and its files, or undefined before the first build. */
export async function readLedgerTree(root: string, commit?: string): Promise<LedgerTree | undefined> {
  const oid = commit ?? (await headOf(root));
  if (oid === undefined) return undefined;
  return { commit: oid, files: await treeFiles(root, oid) };
}

async function headOf(root: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir: root, ref: ledgerRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}
