import type { PresenceChange, PresentPerson } from '../../kernel-js/net/gatewayTypes.js';
import { InputError } from '../../lib/OsmoseError.js';

/** A change in one space, as a watcher of that space is told. */
export type PresenceListener = (change: PresenceChange) => void;

/** The lowest and highest preferred temperature a person may state, in °C: a heater is never asked for less or more. */
export const preferredTemperatureRange = { min: 5, max: 35 } as const;

/**
 * Who is in each space of the building, and who is on their way to it, as the gateway knows
 * it: pseudonymous handles, where each person is expected, their key for the visit and their
 * preferences. Held in memory only — presence is personal and fleeting, so it is never written
 * to the ledger, and a restarted gateway knows nobody until the entrance system tells it
 * again. The entrance system feeds it through the control socket; boards see their own
 * space through the `presence` system call, and prepare it for those expected (lights on,
 * heating at the comfort they prefer) before they arrive.
 */
export class PresenceDirectory {
  /** Space id → handle → person, in arrival order (a Map keeps insertion order). */
  readonly #spaces = new Map<string, Map<number, PresentPerson>>();
  /** Space id → handle → person expected there, in the order they were expected. */
  readonly #expected = new Map<string, Map<number, PresentPerson>>();
  readonly #listeners = new Map<string, Set<PresenceListener>>();

  /** Everyone in `space`, oldest arrival first. */
  people(space: string): PresentPerson[] {
    return [...(this.#spaces.get(space)?.values() ?? [])];
  }

  /** Everyone expected in `space` and not there yet, in the order they were expected. */
  expected(space: string): PresentPerson[] {
    return [...(this.#expected.get(space)?.values() ?? [])];
  }

  /** Every space somebody is in, with its people: what GET /presence shows. */
  spaces(): Map<string, PresentPerson[]> {
    return new Map([...this.#spaces].map(([space, people]) => [space, [...people.values()]]));
  }

  /** Every space somebody is expected in, with those expected. */
  expectations(): Map<string, PresentPerson[]> {
    return new Map([...this.#expected].map(([space, people]) => [space, [...people.values()]]));
  }

  /**
   * Someone is on their way to `space` (admitted at the entrance with it as their destination,
   * or walking towards it): its boards are told at once, so the room is ready when they
   * arrive. They stay expected until they arrive there (arrive ends it), or unexpect or
   * forget is called. Expected again with other details (a new preference), the watchers are
   * told again; with the same details, nothing happens.
   */
  expect(space: string, person: PresentPerson): void {
    checkPerson(person, `expectation of ${space}`);
    const expected = place(this.#expected, space);
    const known = expected.get(person.handle);
    if (known !== undefined && samePerson(known, person)) return;
    const kept = copyPerson(person);
    expected.set(person.handle, kept);
    this.#tell(space, { person: kept, arrived: true, coming: true });
  }

  /** Someone is no longer expected in `space` (they went elsewhere); nothing happens if they were not. */
  unexpect(space: string, handle: number): void {
    const expected = this.#expected.get(space);
    if (expected?.delete(handle) !== true) return;
    if (expected.size === 0) this.#expected.delete(space);
    this.#tell(space, { person: nobody(handle), arrived: false, coming: true });
  }

  /** Someone left the building: they leave every space they are in and are expected nowhere. */
  forget(handle: number): void {
    for (const space of [...this.#spaces.keys()]) this.leave(space, handle);
    for (const space of [...this.#expected.keys()]) this.unexpect(space, handle);
  }

  /**
   * Someone entered `space`. A person already there with the same details is left alone; one
   * whose destination, key or preferences changed leaves and arrives again, so that every
   * watcher's copy, which only hears arrivals and departures, ends up the same. Someone who
   * was expected there is no longer, told after the arrival: a watcher never sees the space
   * without them in between.
   */
  arrive(space: string, person: PresentPerson): void {
    checkPerson(person, `presence of ${space}`);
    const people = place(this.#spaces, space);
    const known = people.get(person.handle);
    if (known === undefined || !samePerson(known, person)) {
      if (known !== undefined) this.leave(space, person.handle);
      const kept = copyPerson(person);
      place(this.#spaces, space).set(person.handle, kept);
      this.#tell(space, { person: kept, arrived: true });
    }
    this.unexpect(space, person.handle);
  }

  /** Someone left `space`; nothing happens if they were not there. */
  leave(space: string, handle: number): void {
    const people = this.#spaces.get(space);
    if (people?.delete(handle) !== true) return;
    if (people.size === 0) this.#spaces.delete(space);
    this.#tell(space, { person: nobody(handle), arrived: false });
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

  /** Everyone leaves `space`; those expected there still are. */
  clear(space: string): void {
    this.set(space, []);
  }

  /** Calls `listener` with every arrival and departure in `space`, and every change of who is expected there, until the returned function is called. */
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

  #tell(space: string, change: PresenceChange): void {
    // A copy: a listener may stop watching (or another start) while it is told.
    for (const listener of [...(this.#listeners.get(space) ?? [])]) listener(change);
  }
}

/** The people of `space` in `spaces`, made empty when it has none yet. */
function place(spaces: Map<string, Map<number, PresentPerson>>, space: string): Map<number, PresentPerson> {
  let people = spaces.get(space);
  if (people === undefined) {
    people = new Map();
    spaces.set(space, people);
  }
  return people;
}

function checkPerson(person: PresentPerson, where: string): void {
  if (!Number.isInteger(person.handle) || person.handle < 1 || person.handle > 0x7fff_ffff) {
    throw new InputError('presence.bad-person', `${where}: handle must be a whole number from 1 to 2147483647 (a pseudonym the presence ABI passes as an i32); got ${String(person.handle)}`, { hint: 'give each person of a visit a small positive number', data: { handle: person.handle } });
  }
  const temperature = person.preferences?.temperature;
  const { min, max } = preferredTemperatureRange;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= min && temperature <= max)) {
    throw new InputError('presence.bad-preference', `${where}: person ${person.handle} prefers a temperature of ${String(temperature)} °C; a preferred temperature is from ${min} to ${max} °C`, {
      hint: 'give the temperature in degrees Celsius (21.5), or leave it out',
      data: { handle: person.handle, temperature },
    });
  }
}

/** The directory's own copy: a caller changing its key or preferences afterwards changes nothing here. */
function copyPerson(person: PresentPerson): PresentPerson {
  const kept = { handle: person.handle, destination: person.destination, publicKey: Uint8Array.from(person.publicKey) };
  return person.preferences?.temperature === undefined ? kept : { ...kept, preferences: { temperature: person.preferences.temperature } };
}

/** Who a departure names: the handle alone, nothing else of the person who went. */
function nobody(handle: number): PresentPerson {
  return { handle, destination: '', publicKey: new Uint8Array() };
}

function samePerson(a: PresentPerson, b: PresentPerson): boolean {
  return (
    a.destination === b.destination &&
    a.preferences?.temperature === b.preferences?.temperature &&
    a.publicKey.length === b.publicKey.length &&
    a.publicKey.every((byte, i) => byte === b.publicKey[i])
  );
}
