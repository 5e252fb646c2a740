import type { KernelPresence, KernelPresenceChange } from '../host/KernelPresence.js';
import type { PresenceChange, PresentPerson } from '../net/gatewayTypes.js';

type Listener = (change: KernelPresenceChange) => void;

/**
 * The board's presence as its gateway tells it: a KernelPresence (what the presence host
 * module reads) kept up to date from the arrivals, departures and expectations the gateway
 * pushes through the `presence` system call. It outlives the board's restarts into another
 * slot, so the update agent hands the same one to every boot. When the link to the gateway
 * goes, everyone leaves and nobody is expected: a board that cannot hear departures must not
 * go on keeping anyone's key.
 */
export class GatewayPresence implements KernelPresence {
  /** Handle → person, in arrival order. */
  readonly #people = new Map<number, PresentPerson>();
  /** Handle → person expected, in the order they were expected. */
  readonly #expected = new Map<number, PresentPerson>();
  readonly #listeners = new Set<Listener>();

  people(): readonly number[] {
    return [...this.#people.keys()];
  }

  expected(): readonly number[] {
    return [...this.#expected.keys()];
  }

  destination(person: number): string | undefined {
    const destination = this.#people.get(person)?.destination;
    return destination === '' ? undefined : destination;
  }

  publicKey(person: number): Uint8Array | undefined {
    const key = this.#people.get(person)?.publicKey;
    return key === undefined || key.length === 0 ? undefined : key;
  }

  preference(person: number, name: string): number | undefined {
    const preferences = (this.#people.get(person) ?? this.#expected.get(person))?.preferences;
    // The ABI's unit: tenths of a degree, as the wire carried it.
    if (name === 'temperature' && preferences?.temperature !== undefined) return Math.round(preferences.temperature * 10);
    return undefined;
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * One change from the gateway. An arrival of someone present updates them quietly; a
   * departure of nobody is nothing. Someone expected again is told again when their details
   * changed (a new preference the room should follow), and left alone when not.
   */
  apply(change: PresenceChange): void {
    const { person } = change;
    if (change.coming === true) {
      if (change.arrived) {
        const known = this.#expected.get(person.handle);
        this.#expected.set(person.handle, person);
        if (known === undefined || known.preferences?.temperature !== person.preferences?.temperature || known.destination !== person.destination) this.#tell(person.handle, true, true);
        return;
      }
      if (this.#expected.delete(person.handle)) this.#tell(person.handle, false, true);
      return;
    }
    if (change.arrived) {
      const known = this.#people.has(person.handle);
      this.#people.set(person.handle, person);
      if (!known) this.#tell(person.handle, true, false);
      return;
    }
    if (this.#people.delete(person.handle)) this.#tell(person.handle, false, false);
  }

  /** Everyone leaves, oldest arrival first, then nobody is expected any more. */
  clear(): void {
    for (const handle of [...this.#people.keys()]) {
      this.#people.delete(handle);
      this.#tell(handle, false, false);
    }
    for (const handle of [...this.#expected.keys()]) {
      this.#expected.delete(handle);
      this.#tell(handle, false, true);
    }
  }

  #tell(person: number, arrived: boolean, coming: boolean): void {
    const change: KernelPresenceChange = { person, arrived, coming, present: this.#people.size, expected: this.#expected.size };
    for (const listener of [...this.#listeners]) listener(change);
  }
}
