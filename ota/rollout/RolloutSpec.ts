/**
 * What a rollout is asked to do, fixed when it starts and written once to the journal
 * (`rollouts/<id>/spec.json`). Everything the engine decides later follows from this and the
 * inputs the gateway feeds it, so replaying the journal gives back the same state.
 */
export interface RolloutSpec {
  /** For example `r-<build commit 8 hex>-<n>`; made by the caller, unique in the building. */
  readonly id: string;
  /** The ledger build commit being rolled out. */
  readonly build: string;
  /** ISO time the rollout was started. */
  readonly startedAt: string;
  /**
   * Cumulative sizes (`--waves 1,5%,25%,100%`): once wave k has started, that many of the
   * boards to update have been reached. The last one is always 100%.
   */
  readonly waves: readonly WaveSize[];
  /** `--max-failures N|P%`: more failures than this halts the rollout; a percentage is of the boards offered so far. */
  readonly maxFailures: MaxFailures;
  /** `--window`, repeatable; empty means always. Read in `timezone`. */
  readonly windows: readonly MaintenanceWindow[];
  /** The building's IANA time zone (building.yaml `building.timezone`), in which windows are read. */
  readonly timezone: string;
  /** A board offered but not healthy this long after its offer counts as failed. */
  readonly healthTimeoutMs: number;
  /** Every board of the build. */
  readonly targets: readonly RolloutTarget[];
}

export interface RolloutTarget {
  readonly board: string;
  /** The room's id or path (`floor-1/meeting-2`): a hold on it, or on a space above it, defers the board. */
  readonly space: string;
  /** The image digest the board should run. */
  readonly image: string;
  readonly version: number;
}

/** One wave's cumulative size: a number of boards, or a percentage of the boards to update. */
export type WaveSize = { readonly count: number } | { readonly percent: number };

/** The failure limit: an absolute count, or a percentage of the boards offered so far. */
export type MaxFailures = { readonly count: number } | { readonly percent: number };

export const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * A maintenance window: on these days, from `start` to `end` (minutes after local midnight).
 * When `end` is not after `start` the window crosses midnight and ends on the next day, so
 * `Mon-Fri 22:00-06:00` is open on Saturday at 05:00 but not on Monday at 05:00.
 */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  readonly start: number;
  readonly end: number;
}
