import fs from 'node:fs';
import git from 'isomorphic-git';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import type { LedgerTree } from '../../builder/ledger/readLedgerTree.js';
import { repositoryLayout } from '../../builder/trust/trustLayout.js';
import { InputError } from '../../lib/OsmoseError.js';

export interface SlotFiles {
  readonly board: string;
  readonly type: string;
  /** The image's digest, from its manifest. */
  readonly image: string;
  /** The slot's files by name, as a board directory's slot holds them (kernel-js/README.md). */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

interface ManifestHead {
  readonly signed: {
    readonly board: string;
    readonly type: string;
    readonly image: string;
    readonly modules: readonly { readonly wasm: string }[];
    readonly clips?: readonly { readonly wav: string }[];
  };
}

/**
 * One slot's worth of a ledger build for one board: its manifest, configuration, modules and clips,
 * with the build's TUF metadata (timestamp, snapshot, targets and every root version). What an
 * image's slot a holds, and what the gateway sends a board it updates. `readBlob` lets a caller
 * that reads many boards share the blobs they have in common.
 */
export async function readSlotFiles(root: string, board: string, ledger: LedgerTree, readBlob?: (oid: string) => Promise<Uint8Array>): Promise<SlotFiles> {
  const blob = async (path: string): Promise<Uint8Array> => {
    const oid = ledger.files.get(path);
    if (oid === undefined) throw new InputError('image.missing-file', `build ${ledger.commit.slice(0, 12)} holds no ${path}`, { hint: 'rebuild with osmose build', data: { path, commit: ledger.commit } });
    return readBlob === undefined ? (await git.readBlob({ fs, dir: root, oid })).blob : readBlob(oid);
  };
  if (!ledger.files.has(ledgerLayout.manifest(board))) {
    throw new InputError('image.unknown-board', `the latest build has no board ${board}`, { hint: 'see osmose plan for the building\'s boards', data: { board } });
  }
  if (!ledger.files.has(repositoryLayout.root)) {
    throw new InputError('image.no-trust-root', `build ${ledger.commit.slice(0, 12)} holds no TUF metadata (${repositoryLayout.root}), so no board could verify it`, {
      hint: 'build again with this osmose (osmose build), which signs the metadata',
      data: { commit: ledger.commit },
    });
  }
  const manifest = await blob(ledgerLayout.manifest(board));
  const head = JSON.parse(new TextDecoder().decode(manifest)) as ManifestHead;
  const files = new Map<string, Uint8Array>();
  files.set('manifest.json', manifest);
  files.set('config.json', await blob(ledgerLayout.config(board)));
  for (const { wasm } of head.signed.modules) files.set(`${wasm}.wasm`, await blob(ledgerLayout.wasm(wasm)));
  for (const { wav } of head.signed.clips ?? []) files.set(`${wav}.wav`, await blob(ledgerLayout.clip(wav)));
  for (const role of ['timestamp', 'snapshot', 'targets'] as const) files.set(`${role}.json`, await blob(repositoryLayout[role]));
  for (const path of ledger.files.keys()) {
    const match = /^repository\/([1-9][0-9]*)\.root\.json$/.exec(path);
    if (match?.[1] !== undefined) files.set(`${match[1]}.root.json`, await blob(path));
  }
  return { board, type: head.signed.type, image: head.signed.image, files };
}
