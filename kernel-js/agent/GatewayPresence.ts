import type { KernelPresence } from '../host/KernelPresence.js';
import type { PresenceChange, PresentPerson } from '../net/gatewayTypes.js';

type Listener = Parameters<KernelPresence['onChange']>[0];

/**
 * The board's presence as its gateway tells it: a KernelPresence (what the presence host
 * module reads) kept up to date from the arrivals and departures the gateway pushes through
 * the `presence` system call. It outlives the board's restarts into another slot, so the
 * update agent hands the same one to every boot. When the link to the gateway goes, everyone
 * leaves: a board that cannot hear departures must not go on keeping anyone's key.
 */
export class GatewayPresence implements KernelPresence {
  /** Handle → person, in arrival order. */
  readonly #people = new Map<number, PresentPerson>();
  readonly #listeners = new Set<Listener>();

  people(): readonly number[] {
    return [...this.#people.keys()];
  }

  destination(person: number): string | undefined {
    const destination = this.#people.get(person)?.destination;
    return destination === '' ? undefined : destination;
  }

  publicKey(person: number): Uint8Array | undefined {
    const key = this.#people.get(person)?.publicKey;
    return key === undefined || key.length === 0 ? undefined : key;
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One change from the gateway. An arrival of someone present updates them quietly; a departure of nobody is nothing. */
  apply(change: PresenceChange): void {
    const { person } = change;
    if (change.arrived) {
      const known = this.#people.has(person.handle);
      this.#people.set(person.handle, person);
      if (!known) this.#tell(person.handle, true);
      return;
    }
    if (this.#people.delete(person.handle)) this.#tell(person.handle, false);
  }

  /** Everyone leaves, oldest arrival first. */
  clear(): void {
    for (const handle of [...this.#people.keys()]) {
      this.#people.delete(handle);
      this.#tell(handle, false);
    }
  }

  #tell(person: number, arrived: boolean): void {
    const change = { person, arrived, present: this.#people.size };
    for (const listener of [...this.#listeners]) listener(change);
  }
}
