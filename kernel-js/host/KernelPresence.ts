/**
 * Who is in a board's space and who is on their way to it, as the presence host module needs
 * it: pseudonymous person handles, stable for one visit, where each is expected next, and
 * what each prefers. The building's entrance system feeds it; until one runs, `emptySpace`
 * answers that nobody is in or coming.
 */
export interface KernelPresence {
  /** Person handles of the people present, oldest arrival first. */
  people(): readonly number[];
  /** Person handles of the people expected in the space and not there yet, in the order they were expected. */
  expected(): readonly number[];
  /** The id of the space this person is expected in, undefined when unknown. */
  destination(person: number): string | undefined;
  /** The person's public key for this visit (what an enclave's group key is bound to), undefined for nobody. */
  publicKey(person: number): Uint8Array | undefined;
  /**
   * A preference of someone present or expected, in the presence ABI's units (`temperature`:
   * tenths of a degree Celsius, always positive); undefined when they stated none, for a
   * preference this board does not know, and for anyone neither present nor expected.
   */
  preference(person: number, name: string): number | undefined;
  /** Calls `listener` on every change, until the returned function is called. */
  onChange(listener: (change: KernelPresenceChange) => void): () => void;
}

/**
 * An arrival or a departure, or (`coming`) someone now expected (`arrived`) or no longer
 * expected, with how many are present and how many expected after it.
 */
export interface KernelPresenceChange {
  readonly person: number;
  readonly arrived: boolean;
  readonly coming: boolean;
  readonly present: number;
  readonly expected: number;
}

/** A space nobody has entered: what a board knows before the entrance tells it anything. */
export const emptySpace: KernelPresence = {
  people: () => [],
  expected: () => [],
  destination: () => undefined,
  publicKey: () => undefined,
  preference: () => undefined,
  onChange: () => () => undefined,
};
