/** Thrown by CallBudget.check past the deadline: the linker turns it into `watchdog.event-budget`. */
export class BudgetExceeded extends Error {}

/**
 * The wall-clock side of one call's budget into a fragment: begun as the call starts, checked
 * on every host call (and, for a script fragment, by the engine's interrupt handler), so a
 * handler that loops is caught whichever way it loops.
 */
export class CallBudget {
  #deadline = Number.POSITIVE_INFINITY;
  #start = 0;
  readonly #ms: number;
  readonly #clock: () => number;

  constructor(ms: number, clock: () => number) {
    this.#ms = ms;
    this.#clock = clock;
  }

  begin(): void {
    this.#start = this.#clock();
    this.#deadline = this.#start + this.#ms;
  }

  /** The budget of one call, in milliseconds. */
  get ms(): number {
    return this.#ms;
  }

  /** Milliseconds on the budget's clock. */
  now(): number {
    return this.#clock();
  }

  /** How long the call has run so far. */
  elapsed(): number {
    return this.#clock() - this.#start;
  }

  /** Whether the call has run past its deadline. */
  spent(): boolean {
    return this.#clock() > this.#deadline;
  }

  check(): void {
    if (this.spent()) throw new BudgetExceeded('the call ran past its budget');
  }
}
