import fs from 'node:fs';
import git from 'isomorphic-git';

/** What a rewrite made of the ref's history. */
export interface HistoryRewrite {
  /** The new head; undefined when every commit vanished (the ref then goes). */
  readonly head: string | undefined;
  /** Commits made again with a new id (a tree, a parent or the message changed). */
  readonly commitsRewritten: number;
  /** Commits that vanished: all they changed was the person's. */
  readonly commitsDropped: number;
  /** Distinct versions (blobs) of the person's files that no commit holds any more. */
  readonly filesRemoved: number;
}

const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const redacted = '(erased)';

interface RawCommit {
  readonly oid: string;
  readonly tree: string;
  readonly parents: readonly string[];
  /** Header lines other than tree and parent (author, committer…), as they were. */
  readonly headers: readonly string[];
  readonly message: string;
}

/**
 * Makes the history under `head` again without any tree entry whose name holds `name` (the
 * person's pseudonym): commits in order, parents remapped, every other byte of every other file
 * and commit kept. A commit whose every change was the person's vanishes (its children hang on
 * its parent); one left as it was keeps its id, so the history before the person's first
 * admission is untouched. Messages lose `redact` (the pseudonym, in any commit that stays).
 * Objects are written raw, so a rewritten commit differs from the original only where it must.
 */
export async function rewriteHistory(root: string, head: string, name: string, redact: readonly string[]): Promise<HistoryRewrite> {
  const commits = await readHistory(root, head);
  const trees = new Map<string, string>();
  const removed = new Set<string>();
  const mapped = new Map<string, string | undefined>();
  let commitsRewritten = 0;
  let commitsDropped = 0;

  const filterTree = async (oid: string): Promise<string> => {
    const known = trees.get(oid);
    if (known !== undefined) return known;
    const entries = parseTree(await readRaw(root, oid));
    const kept: TreeEntry[] = [];
    let changed = false;
    for (const entry of entries) {
      if (entry.name.includes(name)) {
        changed = true;
        await collectBlobs(root, entry, removed);
        continue;
      }
      if (entry.mode === '40000') {
        const filtered = await filterTree(entry.oid);
        if (filtered !== entry.oid) changed = true;
        if (filtered === emptyTree) continue;
        kept.push({ ...entry, oid: filtered });
      } else kept.push(entry);
    }
    const result = !changed ? oid : await git.writeObject({ fs, dir: root, type: 'tree', object: serializeTree(kept), format: 'content' });
    trees.set(oid, result);
    return result;
  };

  const treeOf = new Map<string, string>();
  const original = new Map(commits.map((commit) => [commit.oid, commit]));
  for (const commit of commits) {
    const tree = await filterTree(commit.tree);
    const parents = [...new Set(commit.parents.map((parent) => mapped.get(parent)).filter((parent): parent is string => parent !== undefined))];
    const originalParentTree = commit.parents.length === 1 ? original.get(commit.parents[0] ?? '')?.tree : undefined;
    // Only a commit that changed something can have changed nothing but the person's files.
    const changedSomething = commit.parents.length === 0 ? commit.tree !== emptyTree : commit.parents.length > 1 || commit.tree !== originalParentTree;
    const nowChanges = parents.length === 0 ? tree !== emptyTree : parents.length > 1 || tree !== treeOf.get(parents[0] ?? '');
    if (changedSomething && !nowChanges) {
      mapped.set(commit.oid, parents[0]);
      commitsDropped++;
      continue;
    }
    const message = redact.reduce((text, needle) => text.split(needle).join(redacted), commit.message);
    if (tree === commit.tree && message === commit.message && parents.length === commit.parents.length && parents.every((parent, i) => parent === commit.parents[i])) {
      mapped.set(commit.oid, commit.oid);
      treeOf.set(commit.oid, tree);
      continue;
    }
    const text = [`tree ${tree}`, ...parents.map((parent) => `parent ${parent}`), ...commit.headers].join('\n') + `\n\n${message}`;
    const oid = await git.writeObject({ fs, dir: root, type: 'commit', object: Buffer.from(text, 'latin1'), format: 'content' });
    mapped.set(commit.oid, oid);
    treeOf.set(oid, tree);
    commitsRewritten++;
  }
  return { head: mapped.get(head), commitsRewritten, commitsDropped, filesRemoved: removed.size };
}

/** Every commit under `head`, each after its parents. */
async function readHistory(root: string, head: string): Promise<RawCommit[]> {
  const byOid = new Map<string, RawCommit>();
  const order: RawCommit[] = [];
  const done = new Set<string>();
  const stack: { oid: string; expanded: boolean }[] = [{ oid: head, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop() as { oid: string; expanded: boolean };
    if (done.has(top.oid)) continue;
    let commit = byOid.get(top.oid);
    if (commit === undefined) {
      commit = parseCommit(top.oid, await readRaw(root, top.oid));
      byOid.set(top.oid, commit);
    }
    if (top.expanded) {
      done.add(top.oid);
      order.push(commit);
      continue;
    }
    stack.push({ oid: top.oid, expanded: true });
    for (const parent of [...commit.parents].reverse()) if (!done.has(parent)) stack.push({ oid: parent, expanded: false });
  }
  return order;
}

async function readRaw(root: string, oid: string): Promise<Uint8Array> {
  const { object } = await git.readObject({ fs, dir: root, oid, format: 'content' });
  return object as Uint8Array;
}

/** Parses a raw commit. Bytes are read as latin1 so that writing them back gives the same bytes, whatever the encoding. */
function parseCommit(oid: string, bytes: Uint8Array): RawCommit {
  const text = Buffer.from(bytes).toString('latin1');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  const headers: string[] = [];
  let dropping = false;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) {
      // A continuation of the header before it (a signature): dropped with it.
      if (!dropping) headers.push(line);
      continue;
    }
    dropping = false;
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    // A signature over the old commit is false of the new one: it goes.
    else if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) dropping = true;
    else headers.push(line);
  }
  return { oid, tree, parents, headers, message };
}

interface TreeEntry {
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

function parseTree(bytes: Uint8Array): TreeEntry[] {
  const buffer = Buffer.from(bytes);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < buffer.length) {
    const space = buffer.indexOf(0x20, at);
    const nul = buffer.indexOf(0, space);
    entries.push({ mode: buffer.toString('latin1', at, space), name: buffer.toString('latin1', space + 1, nul), oid: buffer.toString('hex', nul + 1, nul + 21) });
    at = nul + 21;
  }
  return entries;
}

function serializeTree(entries: readonly TreeEntry[]): Uint8Array {
  return Buffer.concat(entries.map((entry) => Buffer.concat([Buffer.from(`${entry.mode} ${entry.name}\0`, 'latin1'), Buffer.from(entry.oid, 'hex')])));
}

/** The blobs under an entry that goes: a file, or every file of a folder. */
async function collectBlobs(root: string, entry: TreeEntry, into: Set<string>): Promise<void> {
  if (entry.mode === '160000') return;
  if (entry.mode !== '40000') {
    into.add(entry.oid);
    return;
  }
  for (const child of parseTree(await readRaw(root, entry.oid))) await collectBlobs(root, child, into);
}
