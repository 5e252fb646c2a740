/**
 * The board's update agent as a table (STYLE.md: state machines as tables). Each row: in this
 * state, on this event, go to that state. An event a state has no row for is refused, so the
 * agent can never skip a step (switch before verifying, confirm without booting, commit what
 * was never healthy).
 *
 * Every state can be rebuilt from the board directory after a power cut (agentStateOf): a
 * staging folder is a download to resume, a slot on trial is a trial to judge again, a slot
 * confirmed but awaiting its commit is healthy. So a board killed anywhere comes back in the
 * state it was in, or in one before it, never in one past it.
 */
export const updateStates = ['idle', 'downloading', 'staged', 'verified', 'switched', 'trial', 'healthy', 'refused', 'reverted'] as const;
export type UpdateState = (typeof updateStates)[number];

export const updateEvents = [
  'offered',
  'downloaded',
  'download-failed',
  'staged',
  'verified',
  'verify-failed',
  'switched',
  'booted',
  'boot-failed',
  'healthy',
  'unhealthy',
  'committed',
  'revert',
  'reset',
] as const;
export type UpdateEvent = (typeof updateEvents)[number];

export interface UpdateRow {
  readonly from: UpdateState;
  readonly on: UpdateEvent;
  readonly to: UpdateState;
  readonly doc: string;
}

export const updateTable: readonly UpdateRow[] = [
  { from: 'idle', on: 'offered', to: 'downloading', doc: 'the gateway offers an image the board does not run: fetch what the board lacks into the inactive slot\'s staging folder' },
  { from: 'idle', on: 'staged', to: 'staged', doc: 'an installer hands the agent a whole slot at once (installUpdate): written beside the inactive slot, flushed' },
  { from: 'downloading', on: 'downloaded', to: 'staged', doc: 'every file is there with its announced length and SHA-256, flushed' },
  { from: 'downloading', on: 'download-failed', to: 'refused', doc: 'the gateway could not be reached, or kept sending bytes that do not match, past the retries: the partial files stay for the next offer' },
  { from: 'staged', on: 'verified', to: 'verified', doc: 'the staged files verify as a slot would at boot (TUF, hashes, board, version floor)' },
  { from: 'staged', on: 'verify-failed', to: 'refused', doc: 'they do not: the staging is removed, the board is untouched' },
  { from: 'verified', on: 'switched', to: 'switched', doc: 'the staging replaces the inactive slot, and state.json makes it active and on trial' },
  { from: 'switched', on: 'booted', to: 'trial', doc: 'the board restarts into the new slot (its boot counted) and its unikernel starts: the health gate begins' },
  { from: 'switched', on: 'boot-failed', to: 'reverted', doc: 'the new slot\'s unikernel trapped or was refused at start: back to the slot it ran before' },
  { from: 'trial', on: 'healthy', to: 'healthy', doc: 'initialised, the self-test passed and the gateway acknowledged the heartbeats the gate asks for: confirmed, awaiting the rollout\'s commit' },
  { from: 'trial', on: 'unhealthy', to: 'reverted', doc: 'a stop, a failed self-test or no heartbeats by the deadline: back to the slot it ran before, and why is reported' },
  { from: 'healthy', on: 'committed', to: 'idle', doc: 'the wave passed its gate: the version floor and the metadata the board trusts rise to the new slot\'s' },
  { from: 'healthy', on: 'revert', to: 'reverted', doc: 'the gateway rolls the wave back: the board boots the slot it ran before, confirmed' },
  { from: 'switched', on: 'reset', to: 'idle', doc: 'an installer\'s switch with no agent watching: the next boot judges the trial (slot table)' },
  { from: 'refused', on: 'reset', to: 'idle', doc: 'ready for another offer' },
  { from: 'reverted', on: 'reset', to: 'idle', doc: 'the revert is reported: ready for another offer' },
];

/** The state after `event`, or undefined when the table has no such row. */
export function nextUpdateState(state: UpdateState, event: UpdateEvent): UpdateState | undefined {
  return updateTable.find((row) => row.from === state && row.on === event)?.to;
}
