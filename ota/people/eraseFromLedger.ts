import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { checkErasable } from './checkErasable.js';
import { countObjects, git, scanObjects } from './gitObjects.js';
import { peopleRef } from './peopleLayout.js';
import type { PersonRecord } from './PersonRecord.js';
import { needlesIn, personNeedles, type Needle } from './personNeedles.js';
import { rewriteHistory } from './rewriteHistory.js';

/** Where a needle was found after the erasure: an object of the repository, or a file of `.git` outside the objects. */
export type Finding =
  | { readonly kind: 'object'; readonly oid: string; readonly type: string; readonly needles: readonly string[] }
  | { readonly kind: 'file'; readonly path: string; readonly needles: readonly string[] };

/** What eraseFromLedger did and what its verification saw. */
export interface LedgerErasure {
  readonly pseudonym: string;
  readonly ref: string;
  /** The register's head afterwards; null when the person was the only one ever admitted. */
  readonly head: string | null;
  readonly commitsRewritten: number;
  readonly commitsDropped: number;
  /** Versions of the person's file that no commit holds any more. */
  readonly filesRemoved: number;
  readonly objectsBefore: number;
  readonly objectsAfter: number;
  /** Objects read back and searched after garbage collection: every object of the repository. */
  readonly objectsScanned: number;
  /** Loose objects left after garbage collection (written meanwhile by another writer; scanned like the rest). */
  readonly looseObjects: number;
  /** Always empty in a report: a finding makes eraseFromLedger refuse. */
  readonly found: readonly Finding[];
  /** Files under .git/objects that are neither objects nor packs (temporary files, garbage): unverifiable, so refused. */
  readonly leftovers: readonly string[];
  /** The gateway's and the register's working files under .osmose/ that hold a needle: reported, for the operator to look at. */
  readonly workingFiles: readonly { readonly path: string; readonly needles: readonly string[] }[];
}

const attempts = 5;
/** The working folders of the building that belong to the gateway and the register. */
const workingFolders = ['.osmose/gateway', '.osmose/people'];

/**
 * Erases a person from the building's ledger (docs/people.md, "Erasure"). Refuses first, with
 * nothing changed, when a ref it does not rewrite still reaches them (checkErasable). Then it
 * rewrites refs/osmose/people so that no commit's tree holds their file (rewriteHistory), moves
 * the ref only if nobody moved it meanwhile, expires every reflog and runs `git gc
 * --prune=now`, so the old commits, trees and blobs are gone from disk, not merely
 * unreachable. It then verifies rather than trusts: every object left is read back and
 * searched for every form of the person's data (personNeedles), and so are the files of .git
 * outside the objects (reflogs, packed-refs, the index). Anything found, or a file under
 * .git/objects that cannot be read as an object, refuses (`erase.incomplete`, with the report).
 *
 * Garbage collection with --prune=now deletes objects another writer has made but not yet put
 * under a ref: nothing else should write to the repository meanwhile (the gateway refuses an
 * erase while a rollout is journalled, and runs its register's writes one at a time).
 */
export async function eraseFromLedger(root: string, person: PersonRecord): Promise<LedgerErasure> {
  const needles = personNeedles(person);
  await checkErasable(root, person);
  const objectsBefore = await countObjects(root);
  let rewrite = { head: undefined as string | undefined, commitsRewritten: 0, commitsDropped: 0, filesRemoved: 0 };
  for (let attempt = 1; ; attempt++) {
    const old = await refHead(root);
    if (old === undefined) break;
    rewrite = await rewriteHistory(root, old, person.pseudonym, [person.pseudonym]);
    // Git's own compare-and-swap under the ref's lock file, the lock writeLedgerCommit takes too.
    const moved = await git(root, rewrite.head === undefined ? ['update-ref', '-d', peopleRef, old] : ['update-ref', peopleRef, rewrite.head, old]).then(
      () => false,
      async (error: unknown) => {
        if ((await refHead(root)) === old || attempt >= attempts) throw error;
        return true;
      },
    );
    if (!moved) break;
  }
  await git(root, ['reflog', 'expire', '--expire=now', '--expire-unreachable=now', '--all']);
  await git(root, ['-c', 'gc.reflogExpire=now', '-c', 'gc.reflogExpireUnreachable=now', 'gc', '--prune=now', '--quiet']);

  const { scanned, hits } = await scanObjects(root, needles);
  const gitDir = (await git(root, ['rev-parse', '--absolute-git-dir'])).trim();
  const objects = await objectFiles(join(gitDir, 'objects'));
  const found: Finding[] = [
    ...hits.map((hit): Finding => ({ kind: 'object', oid: hit.oid, type: hit.type, needles: hit.needles })),
    ...(await scanFiles(gitDir, needles, (path) => path !== 'objects')).map((file): Finding => ({ kind: 'file', path: `.git/${file.path}`, needles: file.needles })),
  ];
  const workingFiles = [];
  for (const folder of workingFolders) workingFiles.push(...(await scanFiles(join(root, folder), needles, () => true)).map((file) => ({ path: `${folder}/${file.path}`, needles: file.needles })));
  const report: LedgerErasure = {
    pseudonym: person.pseudonym,
    ref: peopleRef,
    head: (await refHead(root)) ?? null,
    commitsRewritten: rewrite.commitsRewritten,
    commitsDropped: rewrite.commitsDropped,
    filesRemoved: rewrite.filesRemoved,
    objectsBefore,
    objectsAfter: await countObjects(root),
    objectsScanned: scanned,
    looseObjects: objects.loose,
    found,
    leftovers: objects.leftovers,
    workingFiles,
  };
  if (found.length > 0 || objects.leftovers.length > 0) {
    const what = found.length > 0 ? `${found.length} ${found.length === 1 ? 'place' : 'places'} still hold something of ${person.pseudonym} (${describeFinding(found[0] as Finding)})` : `.git/objects holds files that are not objects (${objects.leftovers.slice(0, 3).join(', ')})`;
    throw new OsmoseError('erase.incomplete', `the ledger was rewritten and collected, but ${what}: the erasure is not verified`, {
      hint: found.length > 0 ? `git cat-file -p ${found[0]?.kind === 'object' ? found[0].oid : 'OBJECT'} shows it; a .keep pack or an alternate object store keeps objects gc cannot remove` : 'remove them once no git process runs, then erase again',
      data: { report },
    });
  }
  return report;
}

function describeFinding(finding: Finding): string {
  return finding.kind === 'object' ? `${finding.type} ${finding.oid.slice(0, 12)}: ${finding.needles.join(', ')}` : `${finding.path}: ${finding.needles.join(', ')}`;
}

async function refHead(root: string): Promise<string | undefined> {
  return git(root, ['rev-parse', '--verify', '-q', peopleRef]).then(
    (out) => out.trim(),
    () => undefined,
  );
}

/** The loose objects under .git/objects, and every file there that is neither an object, a pack nor git's own bookkeeping. */
async function objectFiles(dir: string): Promise<{ readonly loose: number; readonly leftovers: string[] }> {
  let loose = 0;
  const leftovers: string[] = [];
  for (const path of await walk(dir)) {
    if (/^[0-9a-f]{2}\/[0-9a-f]{38}$/.test(path)) loose++;
    else if (!/^pack\/pack-[0-9a-f]+\.(pack|idx|rev|bitmap|keep|mtimes|promisor)$/.test(path) && !path.startsWith('info/')) leftovers.push(`.git/objects/${path}`);
  }
  return { loose, leftovers };
}

/** The regular files under `dir` (relative paths, `/`-separated) whose top folder `keep` accepts that hold a needle. */
async function scanFiles(dir: string, needles: readonly Needle[], keep: (top: string) => boolean): Promise<{ path: string; needles: string[] }[]> {
  const hits: { path: string; needles: string[] }[] = [];
  for (const path of await walk(dir, keep)) {
    const found = needlesIn(await readFile(join(dir, path)), needles);
    if (found.length > 0) hits.push({ path, needles: found });
  }
  return hits;
}

/** Regular files under `dir`, relative; nothing when it does not exist. Sockets and links are not followed. */
async function walk(dir: string, keep: (top: string) => boolean = () => true): Promise<string[]> {
  const files: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path).split('\\').join('/');
      if (!keep(rel.split('/')[0] ?? '')) continue;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && (await lstat(path)).isFile()) files.push(rel);
    }
  };
  await visit(dir);
  return files;
}
