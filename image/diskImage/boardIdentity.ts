import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { privateKeysDir } from '../../builder/init/makeRoleKeys.js';
import { tufPublicKey, type TufKey } from '../../builder/init/tufPublicKey.js';
import { identitiesRef } from '../../builder/trust/identitiesRef.js';

// The ref that records each board's identity key: `boards/<board>.json`, one commit per new key.
export { identitiesRef };

export interface BoardIdentity {
  readonly board: string;
  readonly keyid: string;
  readonly key: TufKey;
  /** PKCS#8 PEM of the private half, for the board's image. */
  readonly pem: string;
  /** Whether this call made the key (and recorded it). */
  readonly made: boolean;
}

/**
 * The board's identity key: Ed25519, made the first time the board gets an image and kept in
 * `.osmose/keys/boards/<board>.pem` (mode 0600, never committed), so every later image of the
 * board carries the same key. Its public half is recorded in the building's repository on
 * `refs/osmose/identities` (`boards/<board>.json`), where the gateway will look boards up.
 */
export async function boardIdentity(root: string, board: string, timestamp: number): Promise<BoardIdentity> {
  const dir = join(root, privateKeysDir, 'boards');
  const file = join(dir, `${board}.pem`);
  let pem = await readFile(file, 'utf8').catch(() => undefined);
  let made = false;
  if (pem === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    made = true;
  }
  const { keyid, key } = tufPublicKey(createPrivateKey(pem));
  await recordIdentity(root, board, { keyid, ...key }, timestamp);
  return { board, keyid, key, pem, made };
}

/** Commits `boards/<board>.json` on the identities ref unless it already holds this key. */
async function recordIdentity(root: string, board: string, record: TufKey & { readonly keyid: string }, timestamp: number): Promise<void> {
  const path = `${board}.json`;
  const content = new TextEncoder().encode(`${JSON.stringify({ board, ...record }, null, 2)}\n`);
  const parent = await git.resolveRef({ fs, dir: root, ref: identitiesRef }).catch(() => undefined);
  let entries: { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' }[] = [];
  if (parent !== undefined) {
    const { commit } = await git.readCommit({ fs, dir: root, oid: parent });
    const boards = (await git.readTree({ fs, dir: root, oid: commit.tree })).tree.find((entry) => entry.path === 'boards');
    if (boards !== undefined) entries = (await git.readTree({ fs, dir: root, oid: boards.oid })).tree;
  }
  const oid = await git.writeBlob({ fs, dir: root, blob: content });
  if (entries.some((entry) => entry.path === path && entry.oid === oid)) return;
  entries = [...entries.filter((entry) => entry.path !== path), { mode: '100644', path, oid, type: 'blob' as const }].sort((a, b) => (a.path < b.path ? -1 : 1));
  const boardsTree = await git.writeTree({ fs, dir: root, tree: entries });
  const tree = await git.writeTree({ fs, dir: root, tree: [{ mode: '040000', path: 'boards', oid: boardsTree, type: 'tree' }] });
  const author = { name: 'osmose', email: 'osmose@localhost', timestamp, timezoneOffset: 0 };
  const commit = await git.writeCommit({
    fs,
    dir: root,
    commit: { tree, parent: parent === undefined ? [] : [parent], author, committer: author, message: `identity of ${board}: ${record.keyid.slice(0, 12)}\n` },
  });
  await git.writeRef({ fs, dir: root, ref: identitiesRef, value: commit, force: true });
}
