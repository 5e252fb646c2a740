/**
 * The board's update agent as a table (STYLE.md: state machines as tables). Each row: in this
 * state, on this event, go to that state. An event a state has no row for is refused, so the
 * agent can never skip a step (switch before verifying, confirm without booting).
 *
 * Only the board's side of the steps it takes alone is here; downloading from the gateway and
 * the health gates (heartbeats, the app's self-test) arrive with the gateway.
 */
export const updateStates = ['idle', 'staged', 'verified', 'switched', 'refused'] as const;
export type UpdateState = (typeof updateStates)[number];

export const updateEvents = ['staged', 'verified', 'verify-failed', 'switched', 'reset'] as const;
export type UpdateEvent = (typeof updateEvents)[number];

export interface UpdateRow {
  readonly from: UpdateState;
  readonly on: UpdateEvent;
  readonly to: UpdateState;
  readonly doc: string;
}

export const updateTable: readonly UpdateRow[] = [
  { from: 'idle', on: 'staged', to: 'staged', doc: 'the new slot\'s files are written beside the inactive slot, flushed' },
  { from: 'staged', on: 'verified', to: 'verified', doc: 'the staged files verify as a slot would at boot (TUF, hashes, board, version floor)' },
  { from: 'staged', on: 'verify-failed', to: 'refused', doc: 'they do not: the staging is removed, the board is untouched' },
  { from: 'verified', on: 'switched', to: 'switched', doc: 'the staging replaces the inactive slot, and state.json makes it active and on trial' },
  { from: 'switched', on: 'reset', to: 'idle', doc: 'the next boot takes over: a trial that starts is confirmed, one that does not is rolled back' },
  { from: 'refused', on: 'reset', to: 'idle', doc: 'ready for another offer' },
];

/** The state after `event`, or undefined when the table has no such row. */
export function nextUpdateState(state: UpdateState, event: UpdateEvent): UpdateState | undefined {
  return updateTable.find((row) => row.from === state && row.on === event)?.to;
}
