import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { loadTargetsKey } from '../../builder/build/signManifest.js';
import { readLedgerTree } from '../../builder/ledger/readLedgerTree.js';
import { InputError } from '../../lib/OsmoseError.js';
import { writeBoardDirectory } from '../boardDirectory/writeBoardDirectory.js';
import { bundleShim } from '../bundleShim.js';
import { writeBlockMap } from '../flash/writeBlockMap.js';
import { boardIdentity } from './boardIdentity.js';
import { writeDiskImage, type DiskImage } from './writeDiskImage.js';

export interface BoardImageResult extends DiskImage {
  readonly board: string;
  /** The ledger build the image holds. */
  readonly build: string;
  /** The image digest of the board in that build (what its manifest signs). */
  readonly image: string;
  readonly identity: { readonly keyid: string; readonly made: boolean };
  /** The signed block map beside the image (IMAGE.bmap.json), which osmose flash needs. */
  readonly blockMap: string;
}

const MiB = 1024 * 1024;

/**
 * A board's flashable disk image from the ledger's latest build: its board directory (slot a
 * holding the build's signed image), the shim bundled into one file, and the board's identity
 * key. Every time in the image is the build commit's, so the same build and the same identity
 * key give the same bytes.
 */
export async function makeBoardImage(root: string, board: string, out: string, onStep?: (step: string) => void): Promise<BoardImageResult> {
  const tree = await readLedgerTree(root);
  if (tree === undefined) throw new InputError('image.no-build', `${root} has no build yet`, { hint: 'run osmose build first', data: { root } });
  const { commit } = await git.readCommit({ fs, dir: root, oid: tree.commit });
  const epoch = commit.committer.timestamp;
  const work = await mkdtemp(join(tmpdir(), 'osmose-board-image-'));
  try {
    onStep?.('board directory');
    const written = await writeBoardDirectory(root, board, join(work, 'board'), tree);
    onStep?.('identity key');
    const identity = await boardIdentity(root, board, epoch);
    onStep?.('shim bundle');
    const shim = await bundleShim(join(work, 'boot.mjs'));
    onStep?.('disk image');
    const image = await writeDiskImage({ boardDir: written.dir, board, shim: shim.file, identityPem: identity.pem, epoch, out });
    onStep?.('block map');
    // Zeros that mean something are flashed too: the partition tables at both ends, and the
    // FAT's tables and root directory (a free cluster is a zero entry). ext4 marks what it
    // never initialised, so its zero blocks can be skipped.
    const boot = image.partitions.find((partition) => partition.role === 'boot');
    const keep = [{ start: 0, end: MiB }, { start: image.bytes - MiB, end: image.bytes }, ...(boot === undefined ? [] : [{ start: boot.offset, end: boot.offset + MiB }])];
    const map = await writeBlockMap(out, board, await loadTargetsKey(root), { keep });
    return { ...image, board, build: tree.commit, image: written.image, identity: { keyid: identity.keyid, made: identity.made }, blockMap: map.file };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
