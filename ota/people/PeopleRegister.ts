import { generateKeyPairSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { didYouMeanSuffix } from '../../lib/didYouMean.js';
import { InputError } from '../../lib/OsmoseError.js';
import { BuildingEnclave, rawPublicKey } from './BuildingEnclave.js';
import { personFileFormat } from './peopleLayout.js';
import type { Credential, PersonRecord, Preferences } from './PersonRecord.js';
import { checkPseudonym, newPseudonym } from './pseudonym.js';
import { readPeople } from './readPeople.js';
import { updatePeople } from './updatePeople.js';

/** What admit answers: who the person is in this building. */
export interface Admission {
  readonly pseudonym: string;
  /** The raw 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  /** True when the credential was seen before: same pseudonym, same keys, preferences kept. */
  readonly returning: boolean;
  readonly preferences: Preferences;
}

/** Who arrives: a badge or a password (exactly one), and their preferences when they give them. */
export type AdmitRequest = Credential & { readonly preferences?: Preferences };

/**
 * The building's register of people (refs/osmose/people, docs/people.md). A person is known by
 * a random pseudonym and an X25519 key pair made for this building, its private half sealed by
 * the building's enclave; the badge or password they show is kept only as a keyed digest, which
 * is how a returning person is recognised. Every change is one commit whose message names
 * nobody but the pseudonym.
 */
export class PeopleRegister {
  readonly #root: string;
  readonly #enclave: BuildingEnclave;

  private constructor(root: string, enclave: BuildingEnclave) {
    this.#root = root;
    this.#enclave = enclave;
  }

  /** The register of the building at `root`, with its enclave (made on first use). */
  static async open(root: string): Promise<PeopleRegister> {
    return new PeopleRegister(root, await BuildingEnclave.open(root));
  }

  /**
   * Admits a person. A credential seen before is the same person (`returning`), whose
   * preferences change only when new ones are given; a new one gets a fresh pseudonym and key pair.
   */
  async admit(request: AdmitRequest, at: Date = new Date()): Promise<Admission> {
    const credential = this.#enclave.credentialOf(request);
    return updatePeople(
      this.#root,
      (state) => {
        const known = [...state.people.values()].find((record) => sameHex(record.credential, credential));
        if (known !== undefined) {
          const preferences = request.preferences ?? known.preferences;
          const admission = { pseudonym: known.pseudonym, publicKey: rawKey(known), returning: true, preferences };
          if (samePreferences(preferences, known.preferences)) return { result: admission };
          return { record: { ...known, preferences }, message: `${known.pseudonym} is back, with new preferences\n`, result: admission };
        }
        let pseudonym = newPseudonym();
        while (state.people.has(pseudonym)) pseudonym = newPseudonym();
        const { publicKey, privateKey } = generateKeyPairSync('x25519');
        const record: PersonRecord = {
          format: personFileFormat,
          pseudonym,
          publicKey: Buffer.from(rawPublicKey(publicKey)).toString('base64'),
          sealedPrivateKey: Buffer.from(this.#enclave.sealPrivateKey(privateKey)).toString('base64'),
          credential,
          preferences: request.preferences ?? {},
          admittedAt: at.toISOString(),
        };
        return { record, message: `admit ${pseudonym}\n`, result: { pseudonym, publicKey: rawKey(record), returning: false, preferences: record.preferences } };
      },
      at,
    );
  }

  /** Everyone in the register, first admitted first. */
  async list(): Promise<PersonRecord[]> {
    const { people } = await readPeople(this.#root);
    return [...people.values()].sort((a, b) => (a.admittedAt < b.admittedAt ? -1 : a.admittedAt > b.admittedAt ? 1 : a.pseudonym < b.pseudonym ? -1 : 1));
  }

  /** One person's record; `people.unknown` (with the closest pseudonym) when the register has none. */
  async get(pseudonym: string): Promise<PersonRecord> {
    checkPseudonym(pseudonym);
    const { people } = await readPeople(this.#root);
    const record = people.get(pseudonym);
    if (record === undefined) throw unknownPerson(pseudonym, [...people.keys()]);
    return record;
  }

  /** Replaces a person's preferences (one commit; none when they are unchanged). */
  async setPreferences(pseudonym: string, preferences: Preferences, at: Date = new Date()): Promise<PersonRecord> {
    checkPseudonym(pseudonym);
    return updatePeople(
      this.#root,
      (state) => {
        const known = state.people.get(pseudonym);
        if (known === undefined) throw unknownPerson(pseudonym, [...state.people.keys()]);
        if (samePreferences(known.preferences, preferences)) return { result: known };
        const record = { ...known, preferences };
        return { record, message: `${pseudonym}: new preferences\n`, result: record };
      },
      at,
    );
  }

  /**
   * The person's private key, for the person only: it opens with their own badge or password
   * (`people.bad-credential` otherwise) and only in this building's enclave. This is how a
   * participant reads the recordings that were wrapped for them.
   */
  async privateKeyOf(pseudonym: string, credential: Credential): Promise<KeyObject> {
    const record = await this.get(pseudonym);
    if (!sameHex(record.credential, this.#enclave.credentialOf(credential))) {
      throw new InputError('people.bad-credential', `that badge or password is not ${pseudonym}'s`, { hint: 'only the person themselves can open their key: use the badge or password they were admitted with', data: { pseudonym } });
    }
    return this.#enclave.openPrivateKey(new Uint8Array(Buffer.from(record.sealedPrivateKey, 'base64')));
  }

  /** Forgets the enclave's keys; the register can no longer admit or open keys. */
  close(): void {
    this.#enclave.close();
  }
}

function unknownPerson(pseudonym: string, known: readonly string[]): InputError {
  return new InputError('people.unknown', `the building knows no ${pseudonym}.${didYouMeanSuffix(pseudonym, known)}`, {
    hint: 'osmose people list shows everyone admitted (and not erased)',
    data: { pseudonym },
  });
}

function rawKey(record: PersonRecord): Uint8Array {
  return new Uint8Array(Buffer.from(record.publicKey, 'base64'));
}

/** Compares two digests in constant time: a credential check must not tell how many characters matched. */
function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

function samePreferences(a: Preferences, b: Preferences): boolean {
  return a.temperature === b.temperature && Object.keys(a).length === Object.keys(b).length;
}
