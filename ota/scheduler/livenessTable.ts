/**
 * Whether the gateway still hears a board, as a table. The gateway's board sessions post
 * events — `beat` (the board enrolled or sent a heartbeat), `drop` (its session ended) and
 * `deadline` (N of its heartbeat intervals passed since the last beat, or since the drop) —
 * and the first row for (state, event) says where to go and what to report. A board is watched
 * from its first enrolment with this gateway (`unwatched` before), or from the start when the
 * schedule already has it down (`lost`). An event with no row changes nothing.
 */
/** Not yet heard by this gateway; heard within its deadline; its session ended and it has until the deadline to come back; lost. */
export const livenessStates = ['unwatched', 'up', 'silent', 'lost'] as const;
/** One of livenessStates. */
export type LivenessState = (typeof livenessStates)[number];

/** What the gateway's sessions and the board's timer post: the board was heard, its session ended, its deadline passed. */
export const livenessEvents = ['beat', 'drop', 'deadline'] as const;
/** One of livenessEvents. */
export type LivenessEvent = (typeof livenessEvents)[number];

/** One row of the table: from a state, on an event, to a state, and what to report. */
export interface LivenessRow {
  readonly from: LivenessState;
  readonly on: LivenessEvent;
  readonly to: LivenessState;
  /** What the scheduler is told: the board was lost, or it is back; null for nothing. */
  readonly report: 'lost' | 'returned' | null;
  readonly doc: string;
}

const row = (from: LivenessState, on: LivenessEvent, to: LivenessState, report: LivenessRow['report'], doc: string): LivenessRow => ({ from, on, to, report, doc });

/** Every transition there is; a (state, event) pair with no row is ignored. */
export const livenessTable: readonly LivenessRow[] = [
  row('unwatched', 'beat', 'up', null, 'its first enrolment with this gateway: watched from now on'),
  row('up', 'beat', 'up', null, 'a heartbeat: its deadline moves on'),
  row('up', 'drop', 'silent', null, 'its session ended: it has N intervals to come back'),
  row('up', 'deadline', 'lost', 'lost', 'no heartbeat for N intervals'),
  row('silent', 'beat', 'up', null, 'it came back in time'),
  row('silent', 'drop', 'silent', null, 'a stale session of it ended'),
  row('silent', 'deadline', 'lost', 'lost', 'its session ended and it did not come back within N intervals'),
  row('lost', 'beat', 'up', 'returned', 'a lost board is heard again'),
  row('lost', 'drop', 'lost', null, 'a lost board\'s old session ended'),
];

/** The row for a board in `from` on `on`, or undefined when the event changes nothing. */
export function nextLiveness(from: LivenessState, on: LivenessEvent): LivenessRow | undefined {
  return livenessTable.find((candidate) => candidate.from === from && candidate.on === on);
}
