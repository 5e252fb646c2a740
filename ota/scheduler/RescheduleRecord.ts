import type { PlanSchedule } from '../../builder/plan/PlanSchedule.js';

/** What set a reschedule off. */
export type RescheduleCause =
  | { readonly kind: 'lost'; readonly board: string; readonly why: string; readonly lastHeard: string }
  | { readonly kind: 'returned'; readonly board: string }
  | { readonly kind: 'topology'; readonly files: readonly string[] };

/**
 * `rescheduling`: the schedule is written and the building is being built again;
 * `rolling-out`: its rollout runs; `restored`: every board it rolled out to is healthy and
 * committed; `failed`: the rollout ended otherwise (a board failed, or a later reschedule
 * superseded it); `refused`: the build was refused (an invalid building.yaml, a compile
 * error), nothing was rolled out; `unchanged`: no board's image changed, nothing to roll out.
 */
export type RescheduleStatus = 'rescheduling' | 'rolling-out' | 'restored' | 'failed' | 'refused' | 'unchanged';

/**
 * One reschedule as the gateway's scheduler records it on refs/osmose/schedule
 * (`reschedules/<id>.json`), when it starts rolling out and again when it ends: what set it
 * off, what moved, what was rolled out to which boards, and for a lost board the time from
 * failure detected to service restored.
 */
export interface RescheduleRecord {
  readonly format: 1;
  readonly id: string;
  readonly cause: RescheduleCause;
  /** ISO time the scheduler found the board lost, heard it again, or saw the files change. */
  readonly detectedAt: string;
  readonly status: RescheduleStatus;
  /** Why it failed or was refused; null otherwise. */
  readonly reason: string | null;
  /** The ledger build it made (refs/osmose/builds), and how long building took. */
  readonly build: string | null;
  readonly buildMs: number | null;
  /** What the build's plan says of spares and boards out of service; null before it was built. */
  readonly schedule: PlanSchedule | null;
  readonly rollout: string | null;
  /** The boards rolled out to: those whose image changed, the dead ones aside. */
  readonly targets: readonly string[];
  /** ISO time every target was healthy and committed. */
  readonly restoredAt: string | null;
  /** From detectedAt to restoredAt: failure detected to service restored. */
  readonly restoreMs: number | null;
  /** For a lost board, from its last heartbeat to detectedAt: the share of the outage spent noticing. */
  readonly detectionMs: number | null;
}
