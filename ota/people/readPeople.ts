import fs from 'node:fs';
import git from 'isomorphic-git';
import { treeFiles } from '../../builder/ledger/treeFiles.js';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { peopleLayout, peopleRef, personFileFormat } from './peopleLayout.js';
import type { PersonRecord } from './PersonRecord.js';
import { pseudonymPattern } from './pseudonym.js';

/** The register as its ref holds it. */
export interface PeopleState {
  /** The ref's commit; undefined before anyone was admitted (or after the last person was erased). */
  readonly commit: string | undefined;
  /** Pseudonym → record, in the order of the tree (by pseudonym). */
  readonly people: ReadonlyMap<string, PersonRecord>;
  /** Every file of the commit's tree: path → blob id (the next commit keeps those it does not replace). */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Reads refs/osmose/people. A person file this osmose cannot read is refused
 * (`people.corrupt`) rather than skipped: a person left out would be admitted again as new.
 */
export async function readPeople(root: string): Promise<PeopleState> {
  let commit: string;
  try {
    commit = await git.resolveRef({ fs, dir: root, ref: peopleRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return { commit: undefined, people: new Map(), files: new Map() };
    throw error;
  }
  const files = await treeFiles(root, commit);
  const people = new Map<string, PersonRecord>();
  for (const [path, oid] of files) {
    const match = /^people\/(.+)\.json$/.exec(path);
    if (match === null) continue;
    const text = new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob);
    const record = parsePersonFile(text, path, commit);
    people.set(record.pseudonym, record);
  }
  return { commit, people, files };
}

function parsePersonFile(text: string, path: string, commit: string): PersonRecord {
  const corrupt = (what: string): OsmoseError =>
    new OsmoseError('people.corrupt', `${peopleRef} ${commit.slice(0, 12)}: ${path} ${what}`, { hint: `see git show ${peopleRef}:${path}`, data: { commit, path } });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('is not JSON');
  }
  const file = (value ?? {}) as Record<string, unknown>;
  if (file['format'] !== personFileFormat) throw corrupt(`is format ${JSON.stringify(file['format'])}, not ${personFileFormat}: a newer osmose wrote it`);
  const { pseudonym, publicKey, sealedPrivateKey, credential, preferences, admittedAt } = file;
  if (typeof pseudonym !== 'string' || !pseudonymPattern.test(pseudonym) || path !== peopleLayout.person(pseudonym)) throw corrupt('does not hold the pseudonym its name says');
  if (typeof publicKey !== 'string' || Buffer.from(publicKey, 'base64').length !== 32) throw corrupt('has no 32-byte publicKey');
  if (typeof sealedPrivateKey !== 'string' || sealedPrivateKey === '') throw corrupt('has no sealedPrivateKey');
  if (typeof credential !== 'string' || !/^[0-9a-f]{64}$/.test(credential)) throw corrupt('has no credential (64 hex digits)');
  if (typeof preferences !== 'object' || preferences === null || Array.isArray(preferences)) throw corrupt('has no preferences object');
  if (typeof admittedAt !== 'string') throw corrupt('has no admittedAt');
  return { format: personFileFormat, pseudonym, publicKey, sealedPrivateKey, credential, preferences, admittedAt };
}
