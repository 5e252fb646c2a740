import fs from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { readLedgerTree, type LedgerTree } from '../../builder/ledger/readLedgerTree.js';
import { repositoryLayout } from '../../builder/trust/trustLayout.js';
import { InputError } from '../../lib/OsmoseError.js';

export interface BoardDirectoryWritten {
  readonly board: string;
  readonly type: string;
  readonly dir: string;
  readonly image: string;
}

interface ManifestHead {
  readonly signed: { readonly board: string; readonly type: string; readonly image: string; readonly modules: readonly { readonly wasm: string }[] };
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
  const blob = async (path: string): Promise<Uint8Array> => {
    const oid = ledger.files.get(path);
    if (oid === undefined) throw new InputError('image.missing-file', `build ${ledger.commit.slice(0, 12)} holds no ${path}`, { hint: 'rebuild with osmose build', data: { path, commit: ledger.commit } });
    return (await git.readBlob({ fs, dir: root, oid })).blob;
  };
  if (!ledger.files.has(ledgerLayout.manifest(board))) {
    throw new InputError('image.unknown-board', `the latest build has no board ${board}`, { hint: 'see osmose plan for the building\'s boards', data: { board } });
  }
  const manifest = await blob(ledgerLayout.manifest(board));
  const head = JSON.parse(new TextDecoder().decode(manifest)) as ManifestHead;
  if (!ledger.files.has(repositoryLayout.root)) {
    throw new InputError('image.no-trust-root', `build ${ledger.commit.slice(0, 12)} holds no TUF metadata (${repositoryLayout.root}), so no board could verify it`, {
      hint: 'build again with this osmose (osmose build), which signs the metadata',
      data: { commit: ledger.commit },
    });
  }
  const rootVersions = [...ledger.files.keys()].flatMap((path) => {
    const match = /^repository\/([1-9][0-9]*)\.root\.json$/.exec(path);
    return match?.[1] === undefined ? [] : [Number(match[1])];
  });

  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'a'), { recursive: true });
  await mkdir(join(staging, 'b'));
  await mkdir(join(staging, 'trust'));
  await writeFile(join(staging, 'board.json'), `${JSON.stringify({ format: 1, board, type: head.signed.type })}\n`);
  await writeFile(join(staging, 'trust', 'root.json'), await blob(repositoryLayout.root));
  await writeFile(join(staging, 'a', 'manifest.json'), manifest);
  await writeFile(join(staging, 'a', 'config.json'), await blob(ledgerLayout.config(board)));
  for (const { wasm } of head.signed.modules) await writeFile(join(staging, 'a', `${wasm}.wasm`), await blob(ledgerLayout.wasm(wasm)));
  for (const role of ['timestamp', 'snapshot', 'targets'] as const) await writeFile(join(staging, 'a', `${role}.json`), await blob(repositoryLayout[role]));
  for (const version of rootVersions) await writeFile(join(staging, 'a', `${version}.root.json`), await blob(repositoryLayout.rootVersion(version)));
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { board, type: head.signed.type, dir, image: head.signed.image };
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
