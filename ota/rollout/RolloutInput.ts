/**
 * What the gateway feeds the engine. Every input carries its time (`at`, ISO): the engine
 * reads no clock of its own, so a run is reproducible and replayable.
 */
export type RolloutInput =
  | { readonly kind: 'tick'; readonly at: string }
  | {
      readonly kind: 'seen';
      readonly at: string;
      readonly board: string;
      readonly online: boolean;
      /** The image the board runs; null when it did not say (the last known one is kept). */
      readonly image: string | null;
      /** A meeting is in progress: the board is upgraded later. Absent means not busy. */
      readonly busy?: boolean;
    }
  | {
      readonly kind: 'progress';
      readonly at: string;
      readonly board: string;
      readonly step: ProgressStep;
      readonly reason?: string;
      /** Bytes the board has downloaded for this update so far. */
      readonly bytes?: number;
    }
  | { readonly kind: 'pause'; readonly at: string }
  | { readonly kind: 'resume'; readonly at: string }
  | { readonly kind: 'abort'; readonly at: string; readonly reason?: string }
  | { readonly kind: 'hold'; readonly at: string; readonly space: string }
  | { readonly kind: 'release'; readonly at: string; readonly space: string };

/** The steps a board's update agent reports, in the order it takes them (the last three end it). */
export const progressSteps = ['accepted', 'downloading', 'downloaded', 'installed', 'healthy', 'committed', 'reverted', 'failed', 'refused'] as const;
export type ProgressStep = (typeof progressSteps)[number];

/**
 * What the gateway must do for the engine: offer the rollout's image to a board, tell a
 * healthy board to commit (it then raises its anti-rollback floor), or tell one to go back to
 * the image it ran before.
 */
export type RolloutAction =
  | { readonly kind: 'offer'; readonly board: string }
  | { readonly kind: 'commit'; readonly board: string }
  | { readonly kind: 'revert'; readonly board: string; readonly reason: string };
