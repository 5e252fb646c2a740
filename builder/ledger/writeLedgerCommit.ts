import fs from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import git, { type TreeEntry } from 'isomorphic-git';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { gitBlobId } from './gitBlobId.js';
import { ledgerRef } from './ledgerRef.js';
import { readLedgerTree } from './readLedgerTree.js';

export interface LedgerCommitInput {
  /** The building repository. */
  readonly root: string;
  /**
   * Every file of the new ledger state, by `/`-separated path: its bytes, or the id of a blob
   * the ledger already holds (a board whose image did not change keeps its files unread).
   */
  readonly files: ReadonlyMap<string, Uint8Array | ExistingBlob>;
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Seconds since the epoch; the commit's time. */
  readonly timestamp: number;
  /**
   * Another ref than the builds' (refs/osmose/schedule, for one). It moves only if it still
   * points where it did when the commit began, checked under git's own lock file for the ref
   * (`.git/<ref>.lock`): a second writer meanwhile refuses this one (`ledger.ref-moved`)
   * rather than lose its commit.
   */
  readonly ref?: string;
}

/** A blob already in the repository, by its git id. */
export interface ExistingBlob {
  readonly oid: string;
}

export interface LedgerCommitResult {
  /** The ledger's head after the call. */
  readonly commit: string;
  /** False when the state equals the head's: nothing was written. */
  readonly created: boolean;
  /** Paths whose content differs from the previous head's (added, changed or removed). */
  readonly changedPaths: readonly string[];
}

const blobWritesAtOnce = 64;

/**
 * Records a new ledger state as one commit on the ledger ref (or `ref`). Only blobs the previous head
 * lacks are written (a thousand boards running one app store one wasm blob, and an unchanged
 * board costs nothing). The ref moves last, after every object is written, so a failure at
 * any point leaves the ledger as it was. A state equal to the head's makes no commit.
 */
export async function writeLedgerCommit(input: LedgerCommitInput): Promise<LedgerCommitResult> {
  const dir = input.root;
  checkPaths([...input.files.keys()]);
  const ref = input.ref ?? ledgerRef;
  const head = input.ref === undefined ? undefined : await refHead(dir, input.ref);
  const previous = input.ref === undefined ? await readLedgerTree(dir) : head === undefined ? undefined : await readLedgerTree(dir, head);
  const ids = new Map<string, string>();
  const known = new Set(previous?.files.values());
  const writes: (() => Promise<unknown>)[] = [];
  for (const [path, content] of input.files) {
    if (!(content instanceof Uint8Array)) {
      ids.set(path, content.oid);
      continue;
    }
    const oid = gitBlobId(content);
    ids.set(path, oid);
    if (!known.has(oid)) {
      // Deflated here with node's zlib and handed over ready: isomorphic-git's own deflate
      // goes through web streams and costs milliseconds a blob, which a thousand boards feel.
      const wrapped = Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]);
      writes.push(() => git.writeObject({ fs, dir, type: 'blob', object: deflateSync(wrapped), format: 'deflated', oid }));
      known.add(oid);
    }
  }
  // Each blob is a file of its own: write many at once rather than one after another.
  for (let i = 0; i < writes.length; i += blobWritesAtOnce) {
    await Promise.all(writes.slice(i, i + blobWritesAtOnce).map((write) => write()));
  }

  const changedPaths = [...new Set([...ids.keys(), ...(previous?.files.keys() ?? [])])]
    .filter((path) => ids.get(path) !== previous?.files.get(path))
    .sort();
  if (previous !== undefined && changedPaths.length === 0) return { commit: previous.commit, created: false, changedPaths };

  const tree = await writeTrees(dir, ids);
  const person = { name: input.author.name, email: input.author.email, timestamp: input.timestamp, timezoneOffset: 0 };
  const commit = await git.writeCommit({
    fs,
    dir,
    commit: { tree, parent: previous === undefined ? [] : [previous.commit], author: person, committer: person, message: input.message },
  });
  if (input.ref === undefined) {
    await git.writeRef({ fs, dir, ref, value: commit, force: true });
    return { commit, created: true, changedPaths };
  }
  const moved = (): OsmoseError => new OsmoseError('ledger.ref-moved', `${ref} moved while a commit was being written to it`, { hint: 'try again: another writer got there first', data: { ref } });
  const lock = join(dir, '.git', `${ref}.lock`);
  await mkdir(dirname(lock), { recursive: true });
  const handle = await open(lock, 'wx').catch(async (error: unknown) => {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    // A lock left by a writer that died: git's rule is to leave it, but a ledger ref is only
    // ever locked for milliseconds, so one older than this is stale.
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > staleLockMs) await rm(lock, { force: true });
    throw moved();
  });
  try {
    if ((await refHead(dir, ref)) !== head) throw moved();
    await git.writeRef({ fs, dir, ref, value: commit, force: true });
  } finally {
    await handle.close();
    await rm(lock, { force: true });
  }
  return { commit, created: true, changedPaths };
}

const staleLockMs = 10_000;

async function refHead(dir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir, ref });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw error;
  }
}

/** Writes the trees for `files` (path → blob id), deepest first; returns the root tree's id. */
async function writeTrees(dir: string, files: ReadonlyMap<string, string>): Promise<string> {
  const children = new Map<string, Map<string, TreeEntry>>();
  const folder = (path: string): Map<string, TreeEntry> => {
    let entries = children.get(path);
    if (entries === undefined) {
      entries = new Map();
      children.set(path, entries);
    }
    return entries;
  };
  for (const [path, oid] of files) {
    const parts = path.split('/');
    const name = parts.pop() as string;
    folder(parts.join('/')).set(name, { mode: '100644', path: name, oid, type: 'blob' });
    for (let depth = parts.length; depth > 0; depth--) folder(parts.slice(0, depth - 1).join('/'));
  }
  const byDepth = [...children.keys()].sort((a, b) => depthOf(b) - depthOf(a));
  for (const path of byDepth) {
    if (path === '') continue;
    const oid = await git.writeTree({ fs, dir, tree: sorted(folder(path)) });
    const parts = path.split('/');
    const name = parts.pop() as string;
    folder(parts.join('/')).set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  return git.writeTree({ fs, dir, tree: sorted(folder('')) });
}

function depthOf(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}

/** Git orders tree entries by name, with a folder compared as if its name ended in `/`. */
function sorted(entries: Map<string, TreeEntry>): TreeEntry[] {
  const key = (entry: TreeEntry): string => (entry.type === 'tree' ? `${entry.path}/` : entry.path);
  return [...entries.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every path clean and relative, none both a file and a folder: checked before anything is written. */
function checkPaths(paths: readonly string[]): void {
  const files = new Set(paths);
  for (const path of paths) {
    const parts = path.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) throw new Error(`ledger path ${JSON.stringify(path)} is not a clean relative path`);
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if (files.has(folder)) throw new Error(`ledger path ${JSON.stringify(folder)} is both a file and a folder`);
    }
  }
}
