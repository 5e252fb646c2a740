import fs from 'node:fs';
import git from 'isomorphic-git';
import { ledgerRef } from './ledgerRef.js';

export interface LedgerTree {
  readonly commit: string;
  /** Every file in the commit's tree: path → blob id. */
  readonly files: ReadonlyMap<string, string>;
}

/** The ledger's head (or `commit`) and its files, or undefined before the first build. */
export async function readLedgerTree(root: string, commit?: string): Promise<LedgerTree | undefined> {
  const oid = commit ?? (await headOf(root));
  if (oid === undefined) return undefined;
  const files = new Map<string, string>();
  const walk = async (tree: string, prefix: string): Promise<void> => {
    const { tree: entries } = await git.readTree({ fs, dir: root, oid: tree });
    for (const entry of entries) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      if (entry.type === 'tree') await walk(entry.oid, path);
      else files.set(path, entry.oid);
    }
  };
  const { commit: parsed } = await git.readCommit({ fs, dir: root, oid });
  await walk(parsed.tree, '');
  return { commit: oid, files };
}

async function headOf(root: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir: root, ref: ledgerRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}
