import fs from 'node:fs';
import git from 'isomorphic-git';
import { ledgerRef } from './ledgerRef.js';

/** The ledger's newest build commit, or undefined before the first build. */
export async function ledgerHead(root: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir: root, ref: ledgerRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}
