/**
 * Who is in a board's space, as the presence host module needs it: pseudonymous person
 * handles, stable for one visit, and where each is expected next. The building's entrance
 * system feeds it; until one runs, `emptySpace` answers that nobody is in.
 */
export interface KernelPresence {
  /** Person handles of the people present, oldest arrival first. */
  people(): readonly number[];
  /** The id of the space this person is expected in, undefined when unknown. */
  destination(person: number): string | undefined;
  /** The person's public key for this visit (what an enclave's group key is bound to), undefined for nobody. */
  publicKey(person: number): Uint8Array | undefined;
  /** Calls `listener` on every arrival and departure with the person and how many are present after it. */
  onChange(listener: (change: { readonly person: number; readonly arrived: boolean; readonly present: number }) => void): () => void;
}

/** A space nobody has entered: what a board knows before the entrance tells it anything. */
export const emptySpace: KernelPresence = {
  people: () => [],
  destination: () => undefined,
  publicKey: () => undefined,
  onChange: () => () => undefined,
};
