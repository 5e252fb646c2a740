/** Thrown by CallBudget.check past the deadline: the linker turns it into `watchdog.event-budget`. */
export class BudgetExceeded extends Error {}

/**
 * The wall-clock side of one call's budget into a fragment: begun as the call starts, checked
 * on every host call (and, for a script fragment, by the engine's interrupt handler), so a
 * handler that loops is caught whichever way it loops.
 */
export class CallBudget {
  #deadline = Number.POSITIVE_INFINITY;
  readonly #ms: number;
  readonly #clock: () => number;

  constructor(ms: number, clock: () => number) {
    this.#ms = ms;
    this.#clock = clock;
  }

  begin(): void {
    this.#deadline = this.#clock() + this.#ms;
  }

  /** Whether the call has run past its deadline. */
  spent(): boolean {
    return this.#clock() > this.#deadline;
  }

  check(): void {
    if (this.spent()) throw new BudgetExceeded('the call ran past its budget');
  }
}
