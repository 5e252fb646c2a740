/**
 * A board's states within one rollout, as a table. Triggers are the steps the board reports
 * (`accepted` … `refused`) and the engine's own decisions (`offer`, `defer`, `commit`,
 * `timeout`, `roll-back`, and `seen-target` when a board turns out to run the target already).
 * A report the table has no row for is refused and noted: boards can send anything.
 *
 * An in-flight board may skip forward (`offered` → `healthy`): reports lost when a gateway
 * was killed are not sent again, and the board's next report must still be taken. Going back
 * is refused. Rows marked `failure` count against the rollout's failure limit; a board rolled
 * back because the rollout halted does not.
 */
export const boardRolloutStates = ['pending', 'unchanged', 'deferred', 'offered', 'downloading', 'downloaded', 'installed', 'healthy', 'committed', 'failed', 'reverted'] as const;
export type BoardRolloutState = (typeof boardRolloutStates)[number];

export const boardTriggers = [
  'seen-target',
  'offer',
  'defer',
  'accepted',
  'downloading',
  'downloaded',
  'installed',
  'healthy',
  'committed',
  'reverted',
  'failed',
  'refused',
  'commit',
  'timeout',
  'roll-back',
] as const;
export type BoardTrigger = (typeof boardTriggers)[number];

export interface BoardRow {
  readonly from: BoardRolloutState;
  readonly on: BoardTrigger;
  readonly to: BoardRolloutState;
  /** True when this row counts as one failure against the limit. */
  readonly failure: boolean;
  readonly doc: string;
}

const row = (from: BoardRolloutState, on: BoardTrigger, to: BoardRolloutState, doc: string, failure = false): BoardRow => ({ from, on, to, failure, doc });

export const boardRolloutTable: readonly BoardRow[] = [
  row('pending', 'seen-target', 'unchanged', 'the board already runs the target image: nothing travels'),
  row('pending', 'offer', 'offered', 'its wave came and it could take the update'),
  row('pending', 'defer', 'deferred', 'its wave came while it was offline, unseen, busy or held'),
  row('deferred', 'seen-target', 'unchanged', 'it came back already running the target image'),
  row('deferred', 'offer', 'offered', 'it came back, or its room was released or freed: it catches up'),

  row('offered', 'accepted', 'offered', 'the board took the offer'),
  row('offered', 'downloading', 'downloading', 'the download started'),
  row('offered', 'downloaded', 'downloaded', 'downloaded (a small update may not report its progress)'),
  row('offered', 'installed', 'installed', 'installed (earlier reports were lost)'),
  row('offered', 'healthy', 'healthy', 'healthy (earlier reports were lost)'),
  row('downloading', 'downloading', 'downloading', 'more bytes arrived'),
  row('downloading', 'downloaded', 'downloaded', 'the download completed'),
  row('downloading', 'installed', 'installed', 'installed (a report was lost)'),
  row('downloading', 'healthy', 'healthy', 'healthy (reports were lost)'),
  row('downloaded', 'installed', 'installed', 'the new slot is installed and on trial'),
  row('downloaded', 'healthy', 'healthy', 'healthy (a report was lost)'),
  row('installed', 'healthy', 'healthy', 'the new image booted and passed its health checks'),

  row('offered', 'refused', 'failed', 'the board refused the offer', true),
  row('offered', 'failed', 'failed', 'the board reported a failure', true),
  row('offered', 'reverted', 'reverted', 'the board went back to its previous image', true),
  row('offered', 'timeout', 'failed', 'not healthy within the health timeout', true),
  row('downloading', 'refused', 'failed', 'the download does not verify', true),
  row('downloading', 'failed', 'failed', 'the download failed', true),
  row('downloading', 'reverted', 'reverted', 'the board went back to its previous image', true),
  row('downloading', 'timeout', 'failed', 'not healthy within the health timeout', true),
  row('downloaded', 'refused', 'failed', 'the update does not verify', true),
  row('downloaded', 'failed', 'failed', 'the install failed', true),
  row('downloaded', 'reverted', 'reverted', 'the board went back to its previous image', true),
  row('downloaded', 'timeout', 'failed', 'not healthy within the health timeout', true),
  row('installed', 'failed', 'failed', 'the new image failed', true),
  row('installed', 'reverted', 'reverted', 'the new image was not confirmed healthy: the board rolled back', true),
  row('installed', 'timeout', 'failed', 'not healthy within the health timeout', true),
  row('healthy', 'failed', 'failed', 'the board failed after reporting healthy', true),
  row('healthy', 'reverted', 'reverted', 'the board rolled back after reporting healthy', true),

  row('healthy', 'commit', 'committed', 'its wave passed the gate: the board raises its anti-rollback floor'),
  row('committed', 'committed', 'committed', 'the board confirmed the commit'),

  row('offered', 'roll-back', 'reverted', 'the rollout halted or was aborted: the offer is withdrawn'),
  row('downloading', 'roll-back', 'reverted', 'the rollout halted or was aborted: the download is dropped'),
  row('downloaded', 'roll-back', 'reverted', 'the rollout halted or was aborted: the download is dropped'),
  row('installed', 'roll-back', 'reverted', 'the rollout halted or was aborted: the board goes back to its previous slot'),
  row('healthy', 'roll-back', 'reverted', 'the rollout halted or was aborted before its wave was committed'),
  row('reverted', 'reverted', 'reverted', 'the board confirmed it went back'),
  row('failed', 'reverted', 'failed', 'the failed board confirmed it went back'),
];

/** States in which a board has been offered and has not yet reported healthy or failed: they hold a wave's gate. */
export const inFlightStates: readonly BoardRolloutState[] = ['offered', 'downloading', 'downloaded', 'installed'];

/** The row for `trigger` in `state`, or undefined when the table has none (the report is refused). */
export function nextBoardState(state: BoardRolloutState, trigger: BoardTrigger): BoardRow | undefined {
  return boardRolloutTable.find((candidate) => candidate.from === state && candidate.on === trigger);
}
