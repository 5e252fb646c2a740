import type { BoardRolloutState, BoardTrigger } from './rolloutBoardTable.js';
import type { RolloutStatus, RolloutTrigger } from './rolloutTable.js';

/**
 * One recorded change of a rollout. The engine changes its state only by applying these, and
 * the journal stores them one JSON line each, so a replay of the journal is the state itself.
 * They also answer the operator's questions: which board ran which image when (`seen`), and
 * why a board was reverted (`board` with its reason).
 */
export type JournalEvent =
  | { readonly kind: 'started'; readonly at: string; readonly rollout: string; readonly build: string; readonly targets: number; readonly waves: number }
  | { readonly kind: 'status'; readonly at: string; readonly from: RolloutStatus; readonly on: RolloutTrigger; readonly to: RolloutStatus; readonly reason: string | null }
  /** A wave picked its boards (each then gets an `offer` or a `defer`). */
  | { readonly kind: 'wave-started'; readonly at: string; readonly wave: number; readonly boards: readonly string[] }
  /** Every offered board of the wave is healthy or failed; its healthy boards were committed. */
  | { readonly kind: 'wave-passed'; readonly at: string; readonly wave: number; readonly committed: number; readonly failed: number }
  | {
      readonly kind: 'board';
      readonly at: string;
      readonly board: string;
      readonly from: BoardRolloutState;
      readonly on: BoardTrigger;
      readonly to: BoardRolloutState;
      readonly reason: string | null;
      readonly bytes: number | null;
    }
  /** What the gateway saw of a board changed: online, busy, or the image it runs. */
  | { readonly kind: 'seen'; readonly at: string; readonly board: string; readonly online: boolean; readonly busy: boolean; readonly image: string | null }
  | { readonly kind: 'hold'; readonly at: string; readonly space: string; readonly held: boolean }
  /** An input the engine refused (an unknown board, a step out of order, `resume` of a halted rollout); it changes nothing. */
  | { readonly kind: 'ignored'; readonly at: string; readonly input: string; readonly reason: string };
