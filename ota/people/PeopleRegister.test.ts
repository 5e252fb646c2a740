import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import { BuildingEnclave, buildingEnclaveFile, rawPublicKey } from './BuildingEnclave.js';
import { parsePreferenceOptions, parsePreferences } from './parsePreferences.js';
import { parseCredential } from './parseCredential.js';
import { peopleRef } from './peopleLayout.js';
import { PeopleRegister } from './PeopleRegister.js';
import { personPublicKey } from './PersonRecord.js';
import { checkPseudonym, newPseudonym, pseudonymPattern } from './pseudonym.js';

let root: string;
let register: PeopleRegister;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-people-'));
  execFileSync('git', ['init', '-q', '-b', 'main', root]);
  register = await PeopleRegister.open(root);
});
afterEach(() => {
  register.close();
  rmSync(root, { recursive: true, force: true });
});

const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  return isOsmoseError(error) ? error.code : `not refused: ${String(error)}`;
};

describe('the register of people on refs/osmose/people', () => {
  it('admits a person under a random pseudonym with an X25519 key, one commit that git reads, and never stores the badge', async () => {
    const admitted = await register.admit({ badge: 'BADGE-0042', preferences: { temperature: 21.5 } }, new Date('2026-03-02T09:00:00Z'));
    expect(admitted.pseudonym).toMatch(pseudonymPattern);
    expect(admitted.publicKey).toHaveLength(32);
    expect(admitted.returning).toBe(false);
    const file = JSON.parse(gitOut('show', `${peopleRef}:people/${admitted.pseudonym}.json`)) as Record<string, unknown>;
    expect(Object.keys(file)).toEqual(['format', 'pseudonym', 'publicKey', 'sealedPrivateKey', 'credential', 'preferences', 'admittedAt']);
    expect(file).toMatchObject({ pseudonym: admitted.pseudonym, publicKey: Buffer.from(admitted.publicKey).toString('base64'), preferences: { temperature: 21.5 }, admittedAt: '2026-03-02T09:00:00.000Z' });
    expect(file['credential']).toMatch(/^[0-9a-f]{64}$/);
    expect(gitOut('log', '--format=%an <%ae>|%s', peopleRef).trim()).toBe(`osmose people <people@osmose.invalid>|admit ${admitted.pseudonym}`);
    gitOut('fsck', '--strict');
    // Nothing git holds has the badge in it, in any object.
    expect(gitOut('cat-file', '--batch-all-objects', '--batch')).not.toContain('BADGE-0042');
    // The operator's branch is untouched.
    expect(() => gitOut('rev-parse', '--verify', '-q', 'main')).toThrow();
  });

  it('recognises a returning person by their badge: same pseudonym, keys and preferences, and no new commit', async () => {
    const first = await register.admit({ badge: 'b-17', preferences: { temperature: 20 } });
    const again = await register.admit({ badge: 'b-17' });
    expect(again).toEqual({ ...first, returning: true });
    expect(gitOut('rev-list', '--count', peopleRef).trim()).toBe('1');
    // New preferences given at the door follow the pseudonym, in one more commit.
    const warmer = await register.admit({ badge: 'b-17', preferences: { temperature: 23 } });
    expect(warmer).toMatchObject({ pseudonym: first.pseudonym, returning: true, preferences: { temperature: 23 } });
    expect((await register.get(first.pseudonym)).preferences).toEqual({ temperature: 23 });
    expect(gitOut('log', '--format=%s', peopleRef).trim().split('\n')).toEqual([`${first.pseudonym} is back, with new preferences`, `admit ${first.pseudonym}`]);
    // The same characters as a password are somebody else.
    const other = await register.admit({ password: 'b-17' });
    expect(other.pseudonym).not.toBe(first.pseudonym);
    expect((await register.list()).map((person) => person.pseudonym)).toEqual([first.pseudonym, other.pseudonym]);
  });

  it('knows a returning person across a new register, and two people badging at once both land', async () => {
    const [a, b] = await Promise.all([register.admit({ badge: 'alpha' }), register.admit({ badge: 'bravo' })]);
    const reopened = await PeopleRegister.open(root);
    try {
      expect((await reopened.admit({ badge: 'alpha' })).pseudonym).toBe(a.pseudonym);
      expect((await reopened.list()).map((person) => person.pseudonym).sort()).toEqual([a.pseudonym, b.pseudonym].sort());
    } finally {
      reopened.close();
    }
    // The same badge twice at once is one person.
    const [c1, c2] = await Promise.all([register.admit({ badge: 'charlie' }), register.admit({ badge: 'charlie' })]);
    expect(c1.pseudonym).toBe(c2.pseudonym);
    expect(await register.list()).toHaveLength(3);
  });

  it('opens a private key only with the person’s own badge, and it is the pair of the public key on record', async () => {
    const person = await register.admit({ badge: 'kim' });
    const key = await register.privateKeyOf(person.pseudonym, { badge: 'kim' });
    expect(rawPublicKey(createPublicKey(key))).toEqual(person.publicKey);
    // A room wraps a key for the public key; the person's private key unwraps it.
    const room = generateKeyPairSync('x25519');
    const personPublic = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(person.publicKey).toString('base64url') }, format: 'jwk' });
    expect(diffieHellman({ privateKey: key, publicKey: room.publicKey })).toEqual(diffieHellman({ privateKey: room.privateKey, publicKey: personPublic }));

    expect(await codeOf(register.privateKeyOf(person.pseudonym, { badge: 'kim2' }))).toBe('people.bad-credential');
    expect(await codeOf(register.privateKeyOf(person.pseudonym, { password: 'kim' }))).toBe('people.bad-credential');
    expect(await codeOf(register.privateKeyOf('p-aaaaaaaa', { badge: 'kim' }))).toBe('people.unknown');
    expect(await codeOf(register.get('p-AAAA'))).toBe('people.bad-pseudonym');
  });

  it('seals the private key so that only the building’s enclave opens it', async () => {
    const person = await register.admit({ badge: 'lee' });
    const record = await register.get(person.pseudonym);
    const sealed = new Uint8Array(Buffer.from(record.sealedPrivateKey, 'base64'));
    // The stored bytes are not a key.
    expect(() => createPrivateKey({ key: Buffer.from(sealed), format: 'der', type: 'pkcs8' })).toThrow();
    // This building's enclave opens them (again, after a restart: the key is derived from the device secret).
    const enclave = await BuildingEnclave.open(root);
    expect(rawPublicKey(createPublicKey(enclave.openPrivateKey(sealed)))).toEqual(personPublicKey(record));
    enclave.close();
    // Another building's enclave does not, nor does a changed byte.
    const elsewhere = mkdtempSync(join(tmpdir(), 'osmose-people-other-'));
    try {
      const other = await BuildingEnclave.open(elsewhere);
      expect(() => other.openPrivateKey(sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }) as Error);
      other.close();
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    const again = await BuildingEnclave.open(root);
    expect(() => again.openPrivateKey(tampered)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }) as Error);
    again.close();
    // The enclave's secret: 32 bytes in hex, 0600, in .osmose/keys (which git ignores in a building), never in git.
    const secretFile = join(root, '.osmose', 'keys', buildingEnclaveFile);
    expect(readFileSync(secretFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(gitOut('cat-file', '--batch-all-objects', '--batch')).not.toContain(readFileSync(secretFile, 'utf8').trim());
  });

  it('changes preferences in one commit, refuses ones out of range, and refuses an unknown pseudonym with the closest', async () => {
    const person = await register.admit({ badge: 'mo' });
    expect((await register.setPreferences(person.pseudonym, { temperature: 19 })).preferences).toEqual({ temperature: 19 });
    await register.setPreferences(person.pseudonym, { temperature: 19 });
    expect(gitOut('rev-list', '--count', peopleRef).trim()).toBe('2');
    const typo = `${person.pseudonym.slice(0, -1)}${person.pseudonym.endsWith('a') ? 'b' : 'a'}`;
    const error = await register.setPreferences(typo, {}).catch((caught: unknown) => caught);
    expect(isOsmoseError(error) && error.code).toBe('people.unknown');
    expect(String((error as Error).message)).toContain(person.pseudonym);
  });
});

describe('what a request may say', () => {
  it('takes preferences in range and refuses the rest, naming the field', () => {
    expect(parsePreferences({ temperature: 21.5 })).toEqual({ temperature: 21.5 });
    expect(parsePreferences(undefined)).toEqual({});
    expect(parsePreferenceOptions(['temperature=22'])).toEqual({ temperature: 22 });
    for (const bad of [{ temperature: 80 }, { temperature: '21' }, { humidity: 40 }, [1]]) {
      expect(() => parsePreferences(bad)).toThrow(expect.objectContaining({ code: 'people.bad-preferences' }) as Error);
    }
    expect(() => parsePreferenceOptions(['temperature'])).toThrow(expect.objectContaining({ code: 'people.bad-preferences' }) as Error);
    expect(() => parsePreferenceOptions(['temperature=warm'])).toThrow(/temperature must be a number/);
  });

  it('takes exactly one of badge and password, without echoing it', () => {
    expect(parseCredential({ badge: 'B1' })).toEqual({ badge: 'B1' });
    expect(parseCredential({ password: 'open sesame' })).toEqual({ password: 'open sesame' });
    for (const bad of [{}, { badge: 'a', password: 'b' }, { badge: '' }, { badge: 42 }]) {
      expect(() => parseCredential(bad)).toThrow(expect.objectContaining({ code: 'people.bad-credential' }) as Error);
    }
    let refused: unknown;
    try {
      parseCredential({ password: 'secret-words'.repeat(100) });
    } catch (error) {
      refused = error;
    }
    expect(isOsmoseError(refused) && refused.code).toBe('people.bad-credential');
    expect(JSON.stringify(refused)).not.toContain('secret-words');
  });

  it('draws pseudonyms of the documented shape and refuses others', () => {
    const drawn = new Set(Array.from({ length: 200 }, () => newPseudonym()));
    expect(drawn.size).toBe(200);
    for (const pseudonym of drawn) expect(checkPseudonym(pseudonym)).toBe(pseudonym);
    for (const bad of ['p-1234567a', 'p-abcdefg', 'P-abcdefgh', '../p-abcdefgh', 'p-abcdefgh/x']) expect(() => checkPseudonym(bad)).toThrow(expect.objectContaining({ code: 'people.bad-pseudonym' }) as Error);
  });
});
