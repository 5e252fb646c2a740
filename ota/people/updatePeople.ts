import { writeLedgerCommit, type ExistingBlob } from '../../builder/ledger/writeLedgerCommit.js';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import { peopleLayout, peopleRef } from './peopleLayout.js';
import type { PersonRecord } from './PersonRecord.js';
import { readPeople, type PeopleState } from './readPeople.js';

/** One change of the register: one person's file written, and a message that names nobody but the pseudonym. */
export interface PeopleChange<T> {
  readonly record: PersonRecord;
  readonly message: string;
  /** What updatePeople answers once the commit is made. */
  readonly result: T;
}

const author = { name: 'osmose people', email: 'people@osmose.invalid' };
const attempts = 50;

/**
 * Changes refs/osmose/people by one commit. `edit` reads the register as it stands and answers
 * the change, or a result without one (`{ result }`: nothing to write). Another writer that got
 * there first makes the ref refuse this commit (`ledger.ref-moved`), and `edit` runs again on
 * what it wrote: two admissions at once both land, and a badge seen twice at once is one person.
 */
export async function updatePeople<T>(root: string, edit: (state: PeopleState) => PeopleChange<T> | { readonly result: T }, at: Date = new Date()): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = await readPeople(root);
    const change = edit(before);
    if (!('record' in change)) return change.result;
    const files = new Map<string, Uint8Array | ExistingBlob>([...before.files].map(([path, oid]) => [path, { oid }]));
    files.set(peopleLayout.person(change.record.pseudonym), new TextEncoder().encode(`${JSON.stringify(change.record, null, 2)}\n`));
    try {
      await writeLedgerCommit({ root, files, message: change.message, author, timestamp: Math.floor(at.getTime() / 1000), ref: peopleRef });
      return change.result;
    } catch (error) {
      if (!isOsmoseError(error) || error.code !== 'ledger.ref-moved' || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}
