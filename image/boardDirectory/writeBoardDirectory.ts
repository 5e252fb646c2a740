import fs from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { readLedgerTree, type LedgerTree } from '../../builder/ledger/readLedgerTree.js';
import { repositoryLayout } from '../../builder/trust/trustLayout.js';
import { InputError } from '../../lib/OsmoseError.js';
import { readSlotFiles } from './readSlotFiles.js';

export interface BoardDirectoryWritten {
  readonly board: string;
  readonly type: string;
  readonly dir: string;
  readonly image: string;
}

/**
 * Writes a board directory (kernel-js/README.md) for one board of a ledger build: slot a holds
 * the board's manifest, configuration and modules with the build's TUF metadata (timestamp,
 * snapshot, targets and every root version), slot b is empty, and the trust root
 * (trust/root.json) is the build's root metadata. The directory is assembled beside `dir` and
 * renamed into place, so a reader sees the old directory or the whole new one. This is the
 * unpacked form of the board's image.
 */
export async function writeBoardDirectory(root: string, board: string, dir: string, tree?: LedgerTree): Promise<BoardDirectoryWritten> {
  const ledger = tree ?? (await readLedgerTree(root));
  if (ledger === undefined) throw new InputError('image.no-build', `${root} has no build in its ledger yet`, { hint: 'run osmose build first', data: { root } });
  const slot = await readSlotFiles(root, board, ledger);
  const rootOid = ledger.files.get(repositoryLayout.root);
  if (rootOid === undefined) throw new InputError('image.no-trust-root', `build ${ledger.commit.slice(0, 12)} holds no ${repositoryLayout.root}`, { hint: 'build again with osmose build', data: { commit: ledger.commit } });

  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'a'), { recursive: true });
  await mkdir(join(staging, 'b'));
  await mkdir(join(staging, 'trust'));
  await writeFile(join(staging, 'board.json'), `${JSON.stringify({ format: 1, board, type: slot.type })}\n`);
  await writeFile(join(staging, 'trust', 'root.json'), (await git.readBlob({ fs, dir: root, oid: rootOid })).blob);
  for (const [name, bytes] of slot.files) await writeFile(join(staging, 'a', name), bytes);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { board, type: slot.type, dir, image: slot.image };
}

/** The boards of a ledger build, from its manifests. */
export function ledgerBoards(tree: LedgerTree): string[] {
  const boards: string[] = [];
  for (const path of tree.files.keys()) {
    const match = /^manifests\/(.+)\.json$/.exec(path);
    if (match?.[1] !== undefined) boards.push(match[1]);
  }
  return boards.sort();
}
