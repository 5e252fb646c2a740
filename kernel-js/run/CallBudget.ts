/** Thrown by CallBudget.check past the deadline: the linker turns it into `watchdog.event-budget`. */
export class BudgetExceeded extends Error {}

/** The clocks a budget reads, in milliseconds. */
export interface BudgetClocks {
  /** Time on the wall (performance.now). */
  readonly wall: () => number;
  /**
   * The process's CPU time, when the budget should not count time the process spent
   * descheduled: a call is past its budget only when both clocks say so.
   */
  readonly cpu?: () => number;
}

/** The CPU time this process has used (user and system), in milliseconds. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The clock side of one call's budget into a fragment: begun as the call starts, checked on
 * every host call (and, for a script fragment, by the engine's interrupt handler), so a handler
 * that loops is caught whichever way it loops.
 *
 * With a CPU clock, a call's time is the lesser of the wall's and the process's CPU time since
 * it began. On a loaded machine the operating system can leave a process waiting for tens of
 * milliseconds in the middle of a call; the wall counts that wait, the CPU clock does not, and
 * a call that really runs away advances both.
 */
export class CallBudget {
  #deadline = Number.POSITIVE_INFINITY;
  #start = 0;
  #cpuStart = 0;
  readonly #ms: number;
  readonly #clocks: BudgetClocks;

  constructor(ms: number, clocks: BudgetClocks) {
    this.#ms = ms;
    this.#clocks = clocks;
  }

  begin(): void {
    this.#start = this.#clocks.wall();
    this.#deadline = this.#start + this.#ms;
    if (this.#clocks.cpu !== undefined) this.#cpuStart = this.#clocks.cpu();
  }

  /** The budget of one call, in milliseconds. */
  get ms(): number {
    return this.#ms;
  }

  /** Milliseconds on the wall clock. */
  now(): number {
    return this.#clocks.wall();
  }

  /** How long the call has run so far: the lesser of its wall and CPU time when the budget has both. */
  elapsed(): number {
    const wall = this.#clocks.wall() - this.#start;
    const cpu = this.#clocks.cpu;
    return cpu === undefined ? wall : Math.min(wall, cpu() - this.#cpuStart);
  }

  /** Whether the call has run past its deadline (the CPU clock is read only once the wall is past it). */
  spent(): boolean {
    if (this.#clocks.wall() <= this.#deadline) return false;
    return this.#clocks.cpu === undefined || this.#clocks.cpu() - this.#cpuStart > this.#ms;
  }

  check(): void {
    if (this.spent()) throw new BudgetExceeded('the call ran past its budget');
  }
}
