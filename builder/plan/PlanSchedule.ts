/**
 * A board taken out of service, as the schedule (refs/osmose/schedule, `down.json`) records it:
 * the gateway's scheduler writes one when a board stops answering, and the operator with
 * `osmose schedule down`. The planner moves what ran on it, and what was bound to its devices,
 * to a spare of its space (docs/scheduler.md).
 */
export interface DownBoard {
  readonly board: string;
  /** ISO time it was found down (or taken down by the operator). */
  readonly since: string;
  /** Why, in words: `no heartbeat for 3 intervals (last at …)`, or the operator's reason. */
  readonly why: string;
  /**
   * ISO time it came back, or null while it is down. A board that came back stays out of
   * service — its fragments stay on the spare that took them — until the operator moves them
   * back (`osmose schedule restore`); unlike a down board, it is given a new image (one that
   * runs nothing) so that it does not run what the spare now runs.
   */
  readonly returned: string | null;
}

/**
 * What the schedule did to a plan: which boards are spares, which are out of service, which
 * spare stands in for each, and what moved. Empty lists when no board is down; plain JSON, in
 * document order, like the rest of the plan.
 */
export interface PlanSchedule {
  /** Boards with `spare: true`: they run nothing while the boards of their space are up. */
  readonly spares: readonly string[];
  /** Boards of building.yaml that the schedule takes out of service (ids it does not know are left out). */
  readonly down: readonly DownBoard[];
  /**
   * Each board out of service that ran a fragment or had a device bound, with the aliases
   * bound on it and the spare standing in for it: the first spare of its space, not itself out
   * of service nor standing in for another board, that has every one of those aliases. Null
   * when no spare fits.
   */
  readonly standIns: readonly { readonly board: string; readonly aliases: readonly string[]; readonly spare: string | null }[];
  /** Fragments that run on a spare because their board is out of service. */
  readonly moved: readonly { readonly instance: string; readonly from: string; readonly to: string }[];
  /** Needs bound to a device of a board out of service, now bound to the spare's device of the same alias. */
  readonly rebound: readonly { readonly instance: string; readonly need: string; readonly from: string; readonly to: string }[];
  /** Fragments whose board is out of service with no spare to take them: they run nowhere until it is back. */
  readonly unplaced: readonly { readonly instance: string; readonly app: string; readonly board: string; readonly reason: string }[];
  /** Needs still bound to a device of a board out of service, for want of a spare: their circuit reaches no one. */
  readonly stranded: readonly { readonly instance: string; readonly need: string; readonly board: string; readonly device: string }[];
}

/** The schedule of a plan with no board out of service. */
export function emptySchedule(spares: readonly string[] = []): PlanSchedule {
  return { spares, down: [], standIns: [], moved: [], rebound: [], unplaced: [], stranded: [] };
}
