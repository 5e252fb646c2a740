import type { PresenceChange, PresentPerson } from '../../kernel-js/net/gatewayTypes.js';
import { InputError } from '../../lib/OsmoseError.js';

/** A change in one space, as a watcher of that space is told. */
export type PresenceListener = (change: PresenceChange) => void;

/**
 * Who is in each space of the building, as the gateway knows it: pseudonymous handles, where
 * each person is expected and their key for the visit. Held in memory only — presence is
 * personal and fleeting, so it is never written to the ledger, and a restarted gateway knows
 * nobody until the entrance system tells it again. The entrance system (the next issue) feeds
 * it through the control socket; boards see their own space through the `presence` system call.
 */
export class PresenceDirectory {
  /** Space id → handle → person, in arrival order (a Map keeps insertion order). */
  readonly #spaces = new Map<string, Map<number, PresentPerson>>();
  readonly #listeners = new Map<string, Set<PresenceListener>>();

  /** Everyone in `space`, oldest arrival first. */
  people(space: string): PresentPerson[] {
    return [...(this.#spaces.get(space)?.values() ?? [])];
  }

  /** Every space somebody is in, with its people: what GET /presence shows. */
  spaces(): Map<string, PresentPerson[]> {
    return new Map([...this.#spaces].map(([space, people]) => [space, [...people.values()]]));
  }

  /**
   * Someone entered `space`. A person already there with the same details is left alone; one
   * whose destination or key changed leaves and arrives again, so that every watcher's copy,
   * which only hears arrivals and departures, ends up the same.
   */
  arrive(space: string, person: PresentPerson): void {
    checkPerson(person, `presence of ${space}`);
    const people = this.#space(space);
    const known = people.get(person.handle);
    if (known !== undefined && samePerson(known, person)) return;
    if (known !== undefined) this.leave(space, person.handle);
    const kept: PresentPerson = { handle: person.handle, destination: person.destination, publicKey: Uint8Array.from(person.publicKey) };
    this.#space(space).set(person.handle, kept);
    this.#tell(space, { person: kept, arrived: true });
  }

  /** Someone left `space`; nothing happens if they were not there. */
  leave(space: string, handle: number): void {
    const people = this.#spaces.get(space);
    if (people?.delete(handle) !== true) return;
    if (people.size === 0) this.#spaces.delete(space);
    this.#tell(space, { person: { handle, destination: '', publicKey: new Uint8Array() }, arrived: false });
  }

  /**
   * Makes `people` the whole of `space`: those no longer listed leave (first), then those new
   * or changed arrive, in the order given. Checked in full before anything changes.
   */
  set(space: string, people: readonly PresentPerson[]): void {
    const handles = new Set<number>();
    people.forEach((person, index) => {
      checkPerson(person, `people[${index}]`);
      if (handles.has(person.handle)) throw new InputError('presence.duplicate-person', `people[${index}]: handle ${person.handle} is listed twice for ${space}`, { hint: 'list each person of a space once', data: { space, handle: person.handle } });
      handles.add(person.handle);
    });
    for (const handle of [...(this.#spaces.get(space)?.keys() ?? [])]) if (!handles.has(handle)) this.leave(space, handle);
    for (const person of people) this.arrive(space, person);
  }

  /** Everyone leaves `space`. */
  clear(space: string): void {
    this.set(space, []);
  }

  /** Calls `listener` with every arrival and departure in `space` until the returned function is called. */
  watch(space: string, listener: PresenceListener): () => void {
    let listeners = this.#listeners.get(space);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(space, listeners);
    }
    listeners.add(listener);
    return () => {
      const now = this.#listeners.get(space);
      now?.delete(listener);
      if (now?.size === 0) this.#listeners.delete(space);
    };
  }

  #space(space: string): Map<number, PresentPerson> {
    let people = this.#spaces.get(space);
    if (people === undefined) {
      people = new Map();
      this.#spaces.set(space, people);
    }
    return people;
  }

  #tell(space: string, change: PresenceChange): void {
    // A copy: a listener may stop watching (or another start) while it is told.
    for (const listener of [...(this.#listeners.get(space) ?? [])]) listener(change);
  }
}

function checkPerson(person: PresentPerson, where: string): void {
  if (!Number.isInteger(person.handle) || person.handle < 1 || person.handle > 0x7fff_ffff) {
    throw new InputError('presence.bad-person', `${where}: handle must be a whole number from 1 to 2147483647 (a pseudonym the presence ABI passes as an i32); got ${String(person.handle)}`, { hint: 'give each person of a visit a small positive number', data: { handle: person.handle } });
  }
}

function samePerson(a: PresentPerson, b: PresentPerson): boolean {
  return a.destination === b.destination && a.publicKey.length === b.publicKey.length && a.publicKey.every((byte, i) => byte === b.publicKey[i]);
}
