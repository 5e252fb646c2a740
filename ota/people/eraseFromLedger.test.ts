import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import { eraseFromLedger } from './eraseFromLedger.js';
import { peopleRef } from './peopleLayout.js';
import { PeopleRegister } from './PeopleRegister.js';
import type { PersonRecord } from './PersonRecord.js';
import { personNeedles } from './personNeedles.js';

let root: string;
let register: PeopleRegister;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-erase-'));
  execFileSync('git', ['init', '-q', '-b', 'main', root]);
  // The operator's branch, as a building has one: erase must leave it alone.
  writeFileSync(join(root, 'building.yaml'), 'osmose: 1\n');
  gitOut('add', 'building.yaml');
  gitOut('-c', 'user.name=op', '-c', 'user.email=op@example.invalid', 'commit', '-q', '-m', 'the building');
  register = await PeopleRegister.open(root);
});
afterEach(() => {
  register.close();
  rmSync(root, { recursive: true, force: true });
});

const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
const allObjects = (): Buffer => execFileSync('git', ['-C', root, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 256 * 1024 * 1024 });
const at = (minute: number): Date => new Date(Date.UTC(2026, 2, 2, 9, minute));

/** Three people, each admitted and then changing their preferences, their commits interleaved: 9 commits. */
async function threePeople(): Promise<PersonRecord[]> {
  const badges = ['ada', 'bo', 'cy'];
  const pseudonyms: string[] = [];
  for (const [i, badge] of badges.entries()) pseudonyms.push((await register.admit({ badge, preferences: { temperature: 20 + i } }, at(i))).pseudonym);
  for (let round = 0; round < 2; round++) {
    for (const [i, pseudonym] of pseudonyms.entries()) await register.setPreferences(pseudonym, { temperature: 18 + round + i / 2 }, at(10 + round * 3 + i));
  }
  expect(gitOut('rev-list', '--count', peopleRef).trim()).toBe('9');
  return Promise.all(pseudonyms.map((pseudonym) => register.get(pseudonym)));
}

function holds(haystack: Buffer, person: PersonRecord): string[] {
  return personNeedles(person).filter((needle) => haystack.includes(Buffer.from(needle.bytes))).map((needle) => needle.what);
}

describe('eraseFromLedger', () => {
  it('rewrites the register’s history without the person, collects the garbage, and no object holds anything of theirs', async () => {
    const [ada, bo, cy] = (await threePeople()) as [PersonRecord, PersonRecord, PersonRecord];
    expect(holds(allObjects(), bo)).toContain('pseudonym');
    const keptFiles = new Map([ada, cy].map((person) => [person.pseudonym, gitOut('show', `${peopleRef}:people/${person.pseudonym}.json`)]));
    const keptBlobs = [ada, cy].map((person) => gitOut('rev-parse', `${peopleRef}:people/${person.pseudonym}.json`).trim());
    const adaFirst = gitOut('rev-list', '--reverse', peopleRef).split('\n')[0];
    // A reflog entry that names Bo, and a loose object no ref reaches that holds Bo's credential: both must go.
    const tidy = gitOut('-c', 'user.name=op', '-c', 'user.email=op@example.invalid', 'commit-tree', 'main^{tree}', '-p', 'main', '-m', 'tidy').trim();
    gitOut('update-ref', '--create-reflog', '-m', `looked at ${bo.pseudonym}`, 'refs/heads/main', tidy);
    execFileSync('git', ['-C', root, 'hash-object', '-w', '--stdin'], { input: `a copy of ${bo.credential}\n` });
    expect(readFileSync(join(root, '.git', 'logs', 'refs', 'heads', 'main'), 'utf8')).toContain(bo.pseudonym);

    const report = await eraseFromLedger(root, bo);

    expect(report).toMatchObject({ pseudonym: bo.pseudonym, ref: peopleRef, commitsDropped: 3, filesRemoved: 3, found: [], leftovers: [], workingFiles: [] });
    // Ada's admission came before Bo's: it keeps its id; the six after it are made again.
    expect(report.commitsRewritten).toBe(5);
    expect(report.objectsAfter).toBeLessThan(report.objectsBefore);
    expect(report.objectsScanned).toBe(report.objectsAfter);
    // Checked here again, independently: every object git has, inflated.
    expect(holds(allObjects(), bo)).toEqual([]);
    expect(gitOut('count-objects', '-v')).toMatch(/^count: 0$/m);
    expect(readFileSync(join(root, '.git', 'logs', 'refs', 'heads', 'main'), 'utf8')).not.toContain(bo.pseudonym);
    gitOut('fsck', '--strict', '--no-dangling');
    expect(gitOut('fsck', '--unreachable', '--no-reflogs')).toBe('');
    // Everyone else is byte for byte as they were, as the same blobs.
    for (const [pseudonym, text] of keptFiles) expect(gitOut('show', `${peopleRef}:people/${pseudonym}.json`)).toBe(text);
    expect([ada, cy].map((person) => gitOut('rev-parse', `${peopleRef}:people/${person.pseudonym}.json`).trim())).toEqual(keptBlobs);
    expect(gitOut('rev-list', '--reverse', peopleRef).split('\n')[0]).toBe(adaFirst);
    expect(gitOut('log', '--format=%s', peopleRef).trim().split('\n')).toHaveLength(6);
    expect(gitOut('log', '--format=%B', peopleRef)).not.toContain(bo.pseudonym);
    expect(report.head).toBe(gitOut('rev-parse', peopleRef).trim());
    expect(gitOut('rev-parse', 'main').trim()).toBe(tidy);
    expect((await register.list()).map((person) => person.pseudonym)).toEqual([ada.pseudonym, cy.pseudonym]);
    // The others' keys still open with their badges.
    await expect(register.privateKeyOf(cy.pseudonym, { badge: 'cy' })).resolves.toBeDefined();
    // Bo's badge now reads as somebody new.
    const back = await register.admit({ badge: 'bo' });
    expect(back.returning).toBe(false);
    expect(back.pseudonym).not.toBe(bo.pseudonym);
  });

  it('deletes the ref when the person was the only one ever admitted', async () => {
    const only = await register.get((await register.admit({ badge: 'solo' })).pseudonym);
    await register.setPreferences(only.pseudonym, { temperature: 22 });
    const report = await eraseFromLedger(root, only);
    expect(report).toMatchObject({ head: null, commitsDropped: 2, commitsRewritten: 0, filesRemoved: 2, found: [] });
    expect(() => gitOut('rev-parse', '--verify', '-q', peopleRef)).toThrow();
    expect(holds(allObjects(), only)).toEqual([]);
    expect(await register.list()).toEqual([]);
  });

  it('reports the gateway’s working files that still name the person', async () => {
    const [, bo] = (await threePeople()) as [PersonRecord, PersonRecord, PersonRecord];
    mkdirSync(join(root, '.osmose', 'gateway'), { recursive: true });
    writeFileSync(join(root, '.osmose', 'gateway', 'notes.log'), `${bo.pseudonym} arrived\n`);
    const report = await eraseFromLedger(root, bo);
    expect(report.workingFiles).toEqual([{ path: '.osmose/gateway/notes.log', needles: ['pseudonym'] }]);
  });

  it('refuses, changing nothing, while another ref or the index still reaches the person', async () => {
    const [, bo] = (await threePeople()) as [PersonRecord, PersonRecord, PersonRecord];
    const before = gitOut('rev-parse', peopleRef).trim();
    // An operator's note on a branch of its own.
    const blob = execFileSync('git', ['-C', root, 'hash-object', '-w', '--stdin'], { input: `met ${bo.pseudonym} about the heating\n`, encoding: 'utf8' }).trim();
    const tree = execFileSync('git', ['-C', root, 'mktree'], { input: `100644 blob ${blob}\tnotes.txt\n`, encoding: 'utf8' }).trim();
    const commit = execFileSync('git', ['-C', root, '-c', 'user.name=op', '-c', 'user.email=op@example.invalid', 'commit-tree', tree, '-m', 'notes'], { encoding: 'utf8' }).trim();
    gitOut('update-ref', 'refs/heads/notes', commit);

    const error = await eraseFromLedger(root, bo).catch((caught: unknown) => caught);
    expect(isOsmoseError(error) && error.code).toBe('erase.held-elsewhere');
    expect((error as Error).message).toContain('refs/heads/notes');
    expect((error as { data: { holders: unknown[] } }).data.holders).toEqual([{ where: 'refs/heads/notes', oid: blob, type: 'blob', needles: ['pseudonym'] }]);
    expect(gitOut('rev-parse', peopleRef).trim()).toBe(before);
    expect(holds(allObjects(), bo)).toContain('credential');

    // Staged in the working copy instead: named by its path.
    gitOut('update-ref', '-d', 'refs/heads/notes');
    writeFileSync(join(root, 'visitors.txt'), `${bo.publicKey}\n`);
    gitOut('add', 'visitors.txt');
    const staged = await eraseFromLedger(root, bo).catch((caught: unknown) => caught);
    expect(isOsmoseError(staged) && staged.code).toBe('erase.held-elsewhere');
    expect((staged as Error).message).toContain('index: visitors.txt');
    expect(gitOut('rev-parse', peopleRef).trim()).toBe(before);
  });

  it('refuses when an object survives the collection (a kept pack), naming it', async () => {
    const [, bo] = (await threePeople()) as [PersonRecord, PersonRecord, PersonRecord];
    gitOut('repack', '-a', '-d', '-q');
    const pack = readdirSync(join(root, '.git', 'objects', 'pack')).find((name) => name.endsWith('.pack')) ?? '';
    writeFileSync(join(root, '.git', 'objects', 'pack', pack.replace(/\.pack$/, '.keep')), '');
    const error = await eraseFromLedger(root, bo).catch((caught: unknown) => caught);
    expect(isOsmoseError(error) && error.code).toBe('erase.incomplete');
    const report = (error as { data: { report: { found: { kind: string; needles: string[] }[] } } }).data.report;
    expect(report.found.length).toBeGreaterThan(0);
    expect(report.found.flatMap((finding) => finding.needles)).toContain('pseudonym');
    expect((error as Error).message).toContain(bo.pseudonym);
  });
});
