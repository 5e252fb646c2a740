import type { BoardLink, BoardRecord } from '../gateway/GatewayFleet.js';
import { nextLiveness, type LivenessEvent, type LivenessState } from './livenessTable.js';

/** A board the gateway stopped hearing. */
export interface LostBoard {
  readonly board: string;
  /** ISO time the gateway found it lost: its deadline. */
  readonly at: string;
  /** In words, for the ledger and the log. */
  readonly why: string;
  /** ISO time of its last enrolment or heartbeat. */
  readonly lastHeard: string;
  /** The heartbeat interval it was held to, and how many of them it was given. */
  readonly intervalMs: number;
  readonly lostAfter: number;
}

/** A board lost earlier that the gateway hears again. */
export interface ReturnedBoard {
  readonly board: string;
  readonly at: string;
}

/** How long a board may be silent, how to tell it, and what to call when it is lost or back. */
export interface LivenessOptions {
  /** N: a board is lost after N of its heartbeat intervals without one. */
  readonly lostAfter: number;
  /** The heartbeat interval the gateway asks of a board now (its trial pace or its idle one). */
  readonly intervalOf: (record: BoardRecord) => number;
  readonly onLost: (lost: LostBoard) => void;
  readonly onReturned: (back: ReturnedBoard) => void;
  /** Boards already down (the schedule says so): hearing one is a return. */
  readonly lost?: readonly string[];
  /** How to run something later; returns a cancel. setTimeout by default (tests drive time themselves). */
  readonly schedule?: (run: () => void, ms: number) => () => void;
  readonly now?: () => Date;
}

interface Watched {
  state: LivenessState;
  cancel: (() => void) | undefined;
  /** When its deadline is due, in ms since the epoch. */
  due: number;
  lastHeard: string;
  droppedAt: string | null;
  intervalMs: number;
}

const setTimer = (run: () => void, ms: number): (() => void) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Watches every board's link (GatewayFleet.watchBoards) through the liveness table: each beat
 * moves a board's deadline N of its intervals on; a dropped session leaves it N intervals to
 * come back; a deadline passed reports it lost, and a beat from a lost board reports it back.
 * One timer per board, reset on each beat.
 */
export class LivenessWatch {
  readonly #o: LivenessOptions;
  readonly #boards = new Map<string, Watched>();
  readonly #schedule: (run: () => void, ms: number) => () => void;
  readonly #now: () => Date;
  #closed = false;

  constructor(options: LivenessOptions) {
    this.#o = options;
    this.#schedule = options.schedule ?? setTimer;
    this.#now = options.now ?? (() => new Date());
    for (const board of options.lost ?? []) this.#boards.set(board, { state: 'lost', cancel: undefined, due: 0, lastHeard: '', droppedAt: null, intervalMs: 0 });
  }

  /** Where a board stands. */
  state(board: string): LivenessState {
    return this.#boards.get(board)?.state ?? 'unwatched';
  }

  /** Feeds one change of a board's link. */
  link(link: BoardLink): void {
    if (this.#closed) return;
    const event: LivenessEvent = link.kind === 'gone' ? 'drop' : 'beat';
    const watched = this.#boards.get(link.board) ?? { state: 'unwatched', cancel: undefined, due: 0, lastHeard: link.at, droppedAt: null, intervalMs: this.#o.intervalOf(link.record) };
    this.#boards.set(link.board, watched);
    const row = nextLiveness(watched.state, event);
    if (row === undefined) return;
    const from = watched.state;
    watched.state = row.to;
    if (event === 'beat') {
      watched.lastHeard = link.at;
      watched.droppedAt = null;
      watched.intervalMs = this.#o.intervalOf(link.record);
      this.#arm(link.board, watched);
    } else if (from === 'up') {
      // The session ended: the deadline counts from now, not from the last heartbeat.
      watched.droppedAt = link.at;
      this.#arm(link.board, watched);
    }
    if (row.report === 'returned') this.#o.onReturned({ board: link.board, at: link.at });
  }

  /** Stops every timer; nothing is reported after. */
  close(): void {
    this.#closed = true;
    for (const watched of this.#boards.values()) watched.cancel?.();
  }

  #arm(board: string, watched: Watched, ms = this.#o.lostAfter * watched.intervalMs): void {
    watched.cancel?.();
    watched.due = this.#now().getTime() + ms;
    watched.cancel = this.#schedule(() => this.#deadline(board, watched), ms);
  }

  /**
   * A deadline came. When it came late by more than an interval, the gateway itself was
   * stalled (a build in its process, a pause of its own): heartbeats may be waiting unread, so
   * the board is given one more interval rather than judged by the gateway's deafness. Else
   * the verdict waits for the next turn of the event loop, after the sockets are read, so a
   * heartbeat that arrived with the deadline still counts.
   */
  #deadline(board: string, watched: Watched): void {
    if (this.#closed || this.#boards.get(board) !== watched) return;
    const late = this.#now().getTime() - watched.due;
    if (late > watched.intervalMs) return this.#arm(board, watched, watched.intervalMs);
    watched.cancel = this.#schedule(() => this.#verdict(board, watched), 0);
  }

  #verdict(board: string, watched: Watched): void {
    if (this.#closed || this.#boards.get(board) !== watched) return;
    watched.cancel = undefined;
    const from = watched.state;
    const row = nextLiveness(from, 'deadline');
    if (row === undefined) return;
    watched.state = row.to;
    if (row.report !== 'lost') return;
    const { lostAfter } = this.#o;
    const pace = `${lostAfter} heartbeat interval${lostAfter === 1 ? '' : 's'} of ${watched.intervalMs} ms`;
    const why =
      from === 'silent' && watched.droppedAt !== null
        ? `its connection dropped at ${watched.droppedAt} and it did not come back within ${pace}`
        : `no heartbeat for ${pace} (the last at ${watched.lastHeard})`;
    this.#o.onLost({ board, at: this.#now().toISOString(), why, lastHeard: watched.lastHeard, intervalMs: watched.intervalMs, lostAfter });
  }
}
