/**
 * Where things sit in the rollout journal's tree:
 *
 *     current.json                          {"rollout": "<id>"} while one is in progress, else {"rollout": null, "last": "<id>"}
 *     rollouts/<id>/spec.json               the rollout's spec, written once
 *     rollouts/<id>/events/00000001.jsonl   one blob per batch of events, one JSON event a line
 *
 * A commit adds one batch and never rewrites an earlier one, so the tree grows by an entry
 * per commit and `git diff` of any commit is exactly the events it recorded.
 */
export const rolloutLayout = {
  current: 'current.json',
  rollouts: 'rollouts',
  spec: (id: string): string => `rollouts/${id}/spec.json`,
  events: (id: string): string => `rollouts/${id}/events`,
  batch: (seq: number): string => `${String(seq).padStart(8, '0')}.jsonl`,
} as const;

/** What current.json holds. */
export interface CurrentRollout {
  readonly rollout: string | null;
  readonly last?: string;
}
