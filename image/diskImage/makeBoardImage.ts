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
import { boardCredentials } from './boardCredentials.js';
import type { GatewayAddress } from '../../kernel-js/agent/parseGatewayAddress.js';
import { writeDiskImage, type DiskImage } from './writeDiskImage.js';

export interface BoardImageResult extends DiskImage {
  readonly board: string;
  /** The ledger build the image holds. */
  readonly build: string;
  /** The image digest of the board in that build (what its manifest signs). */
  readonly image: string;
  readonly identity: { readonly keyid: string; readonly made: boolean };
  /** The board's TLS certificate in the image (identity.crt), issued by the building CA. */
  readonly certificate: { readonly serial: string; readonly notAfter: string };
  /** The gateway written into the image (gateway.json), if one was given. */
  readonly gateway?: GatewayAddress;
  /** The signed block map beside the image (IMAGE.bmap.json), which osmose flash needs. */
  readonly blockMap: string;
}

export interface BoardImageOptions {
  /** Called as each step begins, for a progress line. */
  readonly onStep?: ((step: string) => void) | undefined;
  /** Where the board dials its gateway, written to the state partition as gateway.json. */
  readonly gateway?: GatewayAddress | undefined;
}

const MiB = 1024 * 1024;

/**
 * A board's flashable disk image from the ledger's latest build: its board directory (slot a
 * holding the build's signed image), the shim bundled into one file, the board's identity key
 * with its TLS certificate and the building CA's, and where its gateway is when given. Every
 * time in the image (the certificate's too) is the build commit's, so the same build and the
 * same identity key give the same bytes.
 */
export async function makeBoardImage(root: string, board: string, out: string, options: BoardImageOptions = {}): Promise<BoardImageResult> {
  const { onStep, gateway } = options;
  const tree = await readLedgerTree(root);
  if (tree === undefined) throw new InputError('image.no-build', `${root} has no build yet`, { hint: 'run osmose build first', data: { root } });
  const { commit } = await git.readCommit({ fs, dir: root, oid: tree.commit });
  const epoch = commit.committer.timestamp;
  const work = await mkdtemp(join(tmpdir(), 'osmose-board-image-'));
  try {
    onStep?.('board directory');
    const written = await writeBoardDirectory(root, board, join(work, 'board'), tree);
    onStep?.('identity key and certificate');
    const identity = await boardCredentials(root, board, epoch);
    onStep?.('shim bundle');
    const shim = await bundleShim(join(work, 'boot.mjs'));
    onStep?.('disk image');
    const image = await writeDiskImage({ boardDir: written.dir, board, shim: shim.file, identityPem: identity.keyPem, identityCertPem: identity.certPem, caPem: identity.caPem, gateway, epoch, out });
    onStep?.('block map');
    // Zeros that mean something are flashed too: the partition tables at both ends, and the
    // FAT's tables and root directory (a free cluster is a zero entry). ext4 marks what it
    // never initialised, so its zero blocks can be skipped.
    const boot = image.partitions.find((partition) => partition.role === 'boot');
    const keep = [{ start: 0, end: MiB }, { start: image.bytes - MiB, end: image.bytes }, ...(boot === undefined ? [] : [{ start: boot.offset, end: boot.offset + MiB }])];
    const map = await writeBlockMap(out, board, await loadTargetsKey(root), { keep });
    return {
      ...image,
      board,
      build: tree.commit,
      image: written.image,
      identity: { keyid: identity.keyid, made: identity.made },
      certificate: { serial: identity.serial, notAfter: identity.notAfter.toISOString() },
      ...(gateway === undefined ? {} : { gateway }),
      blockMap: map.file,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
