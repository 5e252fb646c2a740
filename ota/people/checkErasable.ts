import { InputError } from '../../lib/OsmoseError.js';
import { git, scanObjects } from './gitObjects.js';
import { peopleRef } from './peopleLayout.js';
import type { PersonRecord } from './PersonRecord.js';
import { personNeedles } from './personNeedles.js';

/** Something outside the register that holds a needle: a ref (or the index) and the object. */
export interface Holder {
  /** The ref, `HEAD`, or `index: PATH` for a file staged in the working copy. */
  readonly where: string;
  readonly oid: string;
  readonly type: string;
  readonly needles: readonly string[];
}

/**
 * Refuses (`erase.held-elsewhere`, naming the refs) when anything erase does not rewrite still
 * reaches the person: a branch, a tag or another osmose ref whose history holds their
 * pseudonym or keys, or a file staged in the index. Garbage collection keeps whatever those
 * reach, so the erasure could never be verified; this check runs before anything is changed.
 */
export async function checkErasable(root: string, record: PersonRecord): Promise<void> {
  const holders = await findHolders(root, record);
  if (holders.length === 0) return;
  const named = [...new Set(holders.map((holder) => holder.where))];
  throw new InputError('erase.held-elsewhere', `${record.pseudonym} is also held by ${named.slice(0, 5).join(', ')}${named.length > 5 ? ` and ${named.length - 5} more` : ''}, which erase does not rewrite: nothing was erased`, {
    hint: `remove it from there first (git log -S ${record.pseudonym} --all finds the commits; rewrite or delete that ref), then erase again`,
    data: { pseudonym: record.pseudonym, holders: holders.map((holder) => ({ ...holder })) },
  });
}

/** Every object reachable from a ref other than refs/osmose/people, or staged, that holds a needle; each named by the first ref that reaches it. */
export async function findHolders(root: string, record: PersonRecord): Promise<Holder[]> {
  const needles = personNeedles(record);
  const refs = (await git(root, ['for-each-ref', '--format=%(refname)'])).split('\n').filter((ref) => ref !== '' && ref !== peopleRef);
  const detached = await git(root, ['symbolic-ref', '-q', 'HEAD']).then(() => false, () => true);
  if (detached && (await git(root, ['rev-parse', '--verify', '-q', 'HEAD']).then(() => true, () => false))) refs.push('HEAD');
  const where = new Map<string, string>();
  for (const ref of refs) {
    for (const line of (await git(root, ['rev-list', '--objects', ref])).split('\n')) {
      const oid = line.slice(0, 40);
      if (oid.length === 40 && !where.has(oid)) where.set(oid, ref);
    }
  }
  const staged = await git(root, ['ls-files', '--stage', '-z']).catch(() => '');
  for (const entry of staged.split('\0')) {
    const match = /^\d+ ([0-9a-f]{40}) \d+\t(.*)$/s.exec(entry);
    if (match !== null && !where.has(match[1] ?? '')) where.set(match[1] ?? '', `index: ${match[2] ?? ''}`);
  }
  const { hits } = await scanObjects(root, needles, [...where.keys()]);
  return hits.map((hit) => ({ where: where.get(hit.oid) ?? hit.oid, oid: hit.oid, type: hit.type, needles: hit.needles }));
}
