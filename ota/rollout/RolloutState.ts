import type { BoardRolloutState } from './rolloutBoardTable.js';
import type { RolloutStatus } from './rolloutTable.js';
import type { RolloutSpec } from './RolloutSpec.js';

/**
 * Where a rollout stands. It changes only by applying journal events (applyJournalEvent), so
 * the state a gateway holds and the state replayed from the ledger are the same value. Plain
 * JSON throughout (null, never undefined) for the same reason.
 */
export interface RolloutState {
  readonly spec: RolloutSpec;
  readonly status: RolloutStatus;
  /** Why the rollout halted or was aborted; null otherwise. */
  readonly reason: string | null;
  /** The current wave, from 1; `spec.waves.length + 1` once every wave has passed (the catch-up). */
  readonly wave: number;
  /** Whether the current wave has picked its boards. */
  readonly waveStarted: boolean;
  /**
   * Every target board, in the order waves reach them: spread over rooms, fixed by the spec.
   * An array rather than a record so that a step copies it cheaply; find one with rolloutBoard().
   */
  readonly boards: readonly BoardRollout[];
  /** Spaces held by the operator: their boards are not offered. */
  readonly holds: readonly string[];
  /** Every failure counted against the limit, oldest first. */
  readonly failures: readonly RolloutFailure[];
  /** Boards offered so far (the base of a percentage failure limit). */
  readonly offered: number;
  /** The time of the last change. */
  readonly updatedAt: string;
}

export interface BoardRollout {
  readonly board: string;
  readonly space: string;
  /** The image it should run. */
  readonly target: string;
  readonly version: number;
  readonly state: BoardRolloutState;
  /** The wave whose gate the board belongs to; null until a wave reaches it. */
  readonly wave: number | null;
  /** Why it is in this state (a failure's or a roll-back's reason, what deferred it); null when it goes without saying. */
  readonly reason: string | null;
  /** When it entered this state. */
  readonly since: string;
  /** Whether the gateway has seen it at all during the rollout. */
  readonly seen: boolean;
  readonly online: boolean;
  readonly busy: boolean;
  /** The image it last said it runs; null when unknown. */
  readonly running: string | null;
  readonly offeredAt: string | null;
  /** Bytes downloaded for this update, as the board last reported. */
  readonly bytes: number;
}

export interface RolloutFailure {
  readonly board: string;
  readonly wave: number;
  readonly reason: string;
  readonly at: string;
}
