import type { FrameType } from './FrameCipher.js';

/**
 * A stream link connection's states (STYLE.md: state machines are tables). The dialer (the
 * device end) starts in `awaiting-welcome` having sent its hello; the listener (the app end) in
 * `awaiting-hello`. Only an `open` connection carries data, and only an open one replaces the
 * link's current connection.
 */
export const linkStates = ['awaiting-hello', 'awaiting-welcome', 'awaiting-credit', 'open'] as const;
export type LinkState = (typeof linkStates)[number];

export interface LinkRow {
  readonly in: LinkState;
  readonly on: FrameType;
  readonly to: LinkState;
  readonly doc: string;
}

/**
 * Each row: in this state, an authenticated frame of this type leads to that state. A frame no
 * row takes, or one whose tag does not match, ends the connection: before `open` it is refused
 * (whoever connected never proved they hold the circuit key), once open it is counted as forged
 * or as a protocol violation.
 */
export const linkTable: readonly LinkRow[] = [
  { in: 'awaiting-hello', on: 'hello', to: 'awaiting-credit', doc: 'the dialer\'s hello opened under the hello key: answer a welcome with this side\'s random bytes and its receive window, sealed under the new connection\'s key' },
  { in: 'awaiting-welcome', on: 'welcome', to: 'open', doc: 'the welcome opened under the connection\'s key, which only a holder of the circuit key who saw this hello can make: take its window as credit and grant ours' },
  { in: 'awaiting-credit', on: 'credit', to: 'open', doc: 'the dialer\'s first frame under the connection\'s key: it is live, not a replayed hello; take its window as credit' },
  { in: 'open', on: 'credit', to: 'open', doc: 'the other side\'s consumer took data: more may be sent' },
  { in: 'open', on: 'data', to: 'open', doc: 'a message, within the credit this side granted' },
];

/** The state after an authenticated frame of `type` in `state`, or undefined when no row takes it. */
export function nextLinkState(state: LinkState, type: FrameType): LinkState | undefined {
  return linkTable.find((row) => row.in === state && row.on === type)?.to;
}
