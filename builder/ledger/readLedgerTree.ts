import { ledgerHead } from './ledgerHead.js';
import { treeFiles } from './treeFiles.js';

export interface LedgerTree {
  readonly commit: string;
  /** Every file in the commit's tree: path → blob id. */
  readonly files: ReadonlyMap<string, string>;
}

/** The ledger's head (or `commit`) and its files, or undefined before the first build. */
export async function readLedgerTree(root: string, commit?: string): Promise<LedgerTree | undefined> {
  const oid = commit ?? (await ledgerHead(root));
  if (oid === undefined) return undefined;
  return { commit: oid, files: await treeFiles(root, oid) };
}
