import { didYouMean } from '../../lib/didYouMean.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { BoardConfig, BoardManifest } from '../build/BoardImage.js';
import type { SignedManifest } from '../build/signManifest.js';
import { ledgerHistory, readJson } from './ledgerHistory.js';
import { ledgerLayout } from './ledgerLayout.js';

export interface BoardRecord {
  /** The ledger build this answer is read from (the newest unless asked otherwise). */
  readonly at: string;
  /** The build that first recorded this image: when the board's current software was made. */
  readonly since: { readonly commit: string; readonly time: number };
  readonly manifest: BoardManifest;
  /** Who signed it: the targets key ids. */
  readonly signedBy: readonly string[];
  readonly config: BoardConfig;
}

/**
 * What a board runs, from the ledger alone: its manifest and configuration in the newest
 * build (or in build `at`), and the build that first recorded that image.
 */
export async function showBoard(root: string, board: string, at?: string): Promise<BoardRecord> {
  const history = await ledgerHistory(root);
  if (history.length === 0) {
    throw new InputError('ledger.empty', 'the ledger has no builds yet', { hint: 'run `osmose build` first' });
  }
  const start = at === undefined ? 0 : history.findIndex((entry) => entry.commit.startsWith(at));
  const head = history[start];
  if (head === undefined || at?.length === 0) {
    throw new InputError('ledger.unknown-build', `no ledger build ${JSON.stringify(at)}`, { hint: 'give a commit from `osmose ledger log`' });
  }
  const envelope = await readJson<SignedManifest>(root, head.commit, ledgerLayout.manifest(board));
  const manifest = envelope?.signed;
  const config = await readJson<BoardConfig>(root, head.commit, ledgerLayout.config(board));
  if (manifest === undefined || config === undefined) {
    const boards = head.record?.images.map((image) => image.board) ?? [];
    const guess = didYouMean(board, boards);
    throw new InputError('ledger.unknown-board', `build ${head.commit.slice(0, 12)} has no board "${board}"`, {
      hint: guess === undefined ? 'list the boards with `osmose plan`' : `did you mean "${guess}"?`,
    });
  }
  let since = head;
  for (const entry of history.slice(start + 1)) {
    const image = entry.record?.images.find((image) => image.board === board)?.image;
    if (image !== manifest.image) break;
    since = entry;
  }
  return { at: head.commit, since: { commit: since.commit, time: since.time }, manifest, signedBy: envelope?.signatures.map((s) => s.keyid) ?? [], config };
}
