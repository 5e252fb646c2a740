/**
 * The rollout's own states as a table (STYLE.md: state machines as tables). Each row: in this
 * state, on this trigger, go to that state. The engine asks the table before every change, so
 * an operator's `resume` of a halted rollout, or a second `abort`, is refused and noted rather
 * than obeyed.
 *
 * `completed-with-deferred` is still alive: every wave has passed, but boards that were
 * offline, busy or held are offered when they can be, and can still halt it by failing.
 */
export const rolloutStatuses = ['running', 'waiting-window', 'paused', 'completed-with-deferred', 'completed', 'completed-with-failures', 'halted', 'aborted'] as const;
export type RolloutStatus = (typeof rolloutStatuses)[number];

export const rolloutTriggers = ['window-closed', 'window-opened', 'pause', 'resume', 'waves-done-deferred', 'all-done', 'done-with-failures', 'over-limit', 'abort'] as const;
export type RolloutTrigger = (typeof rolloutTriggers)[number];

export interface RolloutRow {
  readonly from: RolloutStatus;
  readonly on: RolloutTrigger;
  readonly to: RolloutStatus;
  readonly doc: string;
}

export const rolloutTable: readonly RolloutRow[] = [
  { from: 'running', on: 'window-closed', to: 'waiting-window', doc: 'outside every maintenance window: no new offers, boards in flight finish and are gated' },
  { from: 'running', on: 'pause', to: 'paused', doc: 'the operator paused: no new offers, boards in flight finish and are gated' },
  { from: 'running', on: 'waves-done-deferred', to: 'completed-with-deferred', doc: 'every wave passed; some boards wait to be offered (offline, busy, held)' },
  { from: 'running', on: 'all-done', to: 'completed', doc: 'every board runs the build: unchanged or committed' },
  { from: 'running', on: 'done-with-failures', to: 'completed-with-failures', doc: 'every wave passed with failures under the limit: those boards kept their old image' },
  { from: 'running', on: 'over-limit', to: 'halted', doc: 'failures passed the limit: the wave is rolled back' },
  { from: 'running', on: 'abort', to: 'aborted', doc: 'the operator aborted: the wave is rolled back' },

  { from: 'waiting-window', on: 'window-opened', to: 'running', doc: 'a maintenance window opened' },
  { from: 'waiting-window', on: 'pause', to: 'paused', doc: 'the operator paused while waiting' },
  { from: 'waiting-window', on: 'waves-done-deferred', to: 'completed-with-deferred', doc: 'the last wave passed after the window closed; some boards wait' },
  { from: 'waiting-window', on: 'all-done', to: 'completed', doc: 'the last wave passed after the window closed' },
  { from: 'waiting-window', on: 'done-with-failures', to: 'completed-with-failures', doc: 'the last wave passed after the window closed, with failures under the limit' },
  { from: 'waiting-window', on: 'over-limit', to: 'halted', doc: 'boards in flight failed past the limit' },
  { from: 'waiting-window', on: 'abort', to: 'aborted', doc: 'the operator aborted' },

  { from: 'paused', on: 'resume', to: 'running', doc: 'the operator resumed' },
  { from: 'paused', on: 'over-limit', to: 'halted', doc: 'boards in flight failed past the limit while paused' },
  { from: 'paused', on: 'abort', to: 'aborted', doc: 'the operator aborted while paused' },

  { from: 'completed-with-deferred', on: 'pause', to: 'paused', doc: 'the operator paused the catch-up of deferred boards' },
  { from: 'completed-with-deferred', on: 'all-done', to: 'completed', doc: 'the last deferred board caught up' },
  { from: 'completed-with-deferred', on: 'done-with-failures', to: 'completed-with-failures', doc: 'no board waits any more, some failed under the limit' },
  { from: 'completed-with-deferred', on: 'over-limit', to: 'halted', doc: 'boards catching up failed past the limit' },
  { from: 'completed-with-deferred', on: 'abort', to: 'aborted', doc: 'the operator aborted the catch-up' },
];

/** States a rollout never leaves. */
export const finalRolloutStatuses: readonly RolloutStatus[] = ['completed', 'completed-with-failures', 'halted', 'aborted'];

/** The row for `trigger` in `status`, or undefined when the table has none (the change is refused). */
export function nextRolloutStatus(status: RolloutStatus, trigger: RolloutTrigger): RolloutRow | undefined {
  return rolloutTable.find((row) => row.from === status && row.on === trigger);
}
