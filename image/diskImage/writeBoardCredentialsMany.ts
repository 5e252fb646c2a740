import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { privateKeysDir } from '../../builder/init/makeRoleKeys.js';
import { tufPublicKey } from '../../builder/init/tufPublicKey.js';
import { ensureBuildingCa } from '../../builder/trust/buildingCa.js';
import { identitiesRef, identityRecordPath } from '../../builder/trust/identitiesRef.js';
import { readBoardIdentities } from '../../builder/trust/readBoardIdentities.js';
import { readIdentityRecords } from '../../builder/trust/readIdentityRecords.js';
import { InputError } from '../../lib/OsmoseError.js';
import { boardFiles } from '../../kernel-js/boot/boardDirectory.js';

/** A board and the directory its credentials go to. */
export interface BoardDirectory {
  readonly board: string;
  readonly dir: string;
}

/**
 * writeBoardCredentials for many boards at once, as a building's worth of simulated boards
 * needs: the identities are read once, every key not yet recorded is recorded in a single
 * commit on refs/osmose/identities (board by board, each board's commit rewrites a tree that
 * grows with the building, which is quadratic), and only then are the files written, so no
 * board carries a key the gateway cannot look up. A board's record reads byte for byte as
 * boardIdentity writes it, so imaging the board later commits nothing. A revoked board is
 * refused as boardCredentials refuses it, before anything is written.
 */
export async function writeBoardCredentialsMany(root: string, boards: readonly BoardDirectory[], epoch: number): Promise<void> {
  if (boards.length === 0) return;
  const identities = await readBoardIdentities(root);
  const ca = await ensureBuildingCa(root);
  const prepared: (BoardDirectory & { readonly pem: string; readonly key: KeyObject })[] = [];
  const unrecorded: { readonly board: string; readonly text: string }[] = [];
  for (const { board, dir } of boards) {
    const pem = await identityKeyPem(root, board);
    const key = createPrivateKey(pem);
    const recorded = identities.get(board);
    const { keyid, key: tufKey } = tufPublicKey(key);
    if (recorded?.revoked !== undefined && recorded.keyid === keyid) {
      const keyFile = `${privateKeysDir}/boards/${board}.pem`;
      throw new InputError('image.board-revoked', `${board} was revoked at ${recorded.revoked.at} (${recorded.revoked.reason}); its identity key cannot be given a certificate`, {
        hint: `to give ${board} a new identity, move ${keyFile} away and run this again`,
        data: { board, revoked: recorded.revoked, keyFile },
      });
    }
    if (recorded?.keyid !== keyid) unrecorded.push({ board, text: `${JSON.stringify({ board, keyid, ...tufKey }, null, 2)}\n` });
    prepared.push({ board, dir, pem, key });
  }
  await recordIdentities(root, unrecorded, epoch);
  for (const { board, dir, pem, key } of prepared) {
    const issued = await ca.issue({ role: 'board', board, publicKey: key, epoch });
    await writeFile(join(dir, boardFiles.identityKey), pem, { mode: 0o600 });
    await writeFile(join(dir, boardFiles.identityCert), issued.certPem);
    await writeFile(join(dir, boardFiles.buildingCa), ca.certPem);
  }
}

/** The board's identity key from `.osmose/keys/boards/<board>.pem`, made there (0600, never committed) the first time. */
async function identityKeyPem(root: string, board: string): Promise<string> {
  const dir = join(root, privateKeysDir, 'boards');
  const file = join(dir, `${board}.pem`);
  const kept = await readFile(file, 'utf8').catch(() => undefined);
  if (kept !== undefined) return kept;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  return pem;
}

/** One commit on the identities ref with every record given, in place of the boards' earlier ones. */
async function recordIdentities(root: string, records: readonly { readonly board: string; readonly text: string }[], timestamp: number): Promise<void> {
  if (records.length === 0) return;
  const current = await readIdentityRecords(root);
  const encoder = new TextEncoder();
  const entries = new Map(current.entries.map((entry) => [entry.path, entry]));
  for (const { board, text } of records) {
    const path = identityRecordPath(board).slice('boards/'.length);
    entries.set(path, { mode: '100644', path, oid: await git.writeBlob({ fs, dir: root, blob: encoder.encode(text) }), type: 'blob' });
  }
  const boardsTree = await git.writeTree({ fs, dir: root, tree: [...entries.values()] });
  const tree = await git.writeTree({ fs, dir: root, tree: [{ mode: '040000', path: 'boards', oid: boardsTree, type: 'tree' }] });
  const author = { name: 'osmose', email: 'osmose@localhost', timestamp, timezoneOffset: 0 };
  const names = records.map(({ board }) => board);
  const message = `identities of ${names.length} board${names.length === 1 ? '' : 's'}\n\n${names.join('\n')}\n`;
  const commit = await git.writeCommit({ fs, dir: root, commit: { tree, parent: current.commit === undefined ? [] : [current.commit], author, committer: author, message } });
  await git.writeRef({ fs, dir: root, ref: identitiesRef, value: commit, force: true });
}
