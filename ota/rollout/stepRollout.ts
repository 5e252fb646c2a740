import { applyToDraft, draftOf, type RolloutDraft } from './applyJournalEvent.js';
import { formatDuration } from './formatDuration.js';
import { insideWindow } from './insideWindow.js';
import type { JournalEvent } from './JournalEvent.js';
import { overFailureLimit } from './failureLimit.js';
import { boardIndex } from './rolloutBoard.js';
import { inFlightStates, nextBoardState, type BoardTrigger } from './rolloutBoardTable.js';
import { progressSteps, type ProgressStep, type RolloutAction, type RolloutInput } from './RolloutInput.js';
import type { BoardRollout, RolloutState } from './RolloutState.js';
import { nextRolloutStatus, type RolloutStatus, type RolloutTrigger } from './rolloutTable.js';
import { waveTarget } from './waveTarget.js';

/** What one input did: the new state, what the gateway must now do, and what to journal. */
export interface RolloutStep {
  readonly state: RolloutState;
  readonly actions: readonly RolloutAction[];
  readonly events: readonly JournalEvent[];
}

/**
 * Feeds one input to a rollout. Pure: no clock, no I/O; the state changes only through the
 * returned events, so journalling them is enough to get this exact state back. An input the
 * tables refuse (an unknown board, a step out of order, `resume` of a halted rollout) changes
 * nothing and is journalled as `ignored`, never thrown: boards can send anything.
 *
 * After the input itself, time is given its due: boards past the health timeout fail, a
 * failure limit passed halts the rollout and rolls its wave back, the maintenance window is
 * checked, waves whose offered boards are all healthy or failed are committed and the next
 * one starts, and deferred boards that can now take the update are offered.
 */
export function stepRollout(state: RolloutState, input: RolloutInput): RolloutStep {
  const step = new Step(state, input);
  step.run();
  return step.result();
}

const liveStatuses: readonly RolloutStatus[] = ['running', 'waiting-window', 'paused', 'completed-with-deferred'];

class Step {
  readonly #draft: RolloutDraft;
  readonly #input: RolloutInput;
  readonly #now: number;
  /** The input's time, written the one way events carry it (so times compare as strings). */
  readonly #at: string;
  readonly #events: JournalEvent[] = [];
  readonly #actions: RolloutAction[] = [];

  constructor(state: RolloutState, input: RolloutInput) {
    this.#draft = draftOf(state);
    this.#input = input;
    this.#now = typeof input.at === 'string' ? Date.parse(input.at) : Number.NaN;
    this.#at = Number.isNaN(this.#now) ? state.updatedAt : new Date(this.#now).toISOString();
  }

  result(): RolloutStep {
    return { state: this.#draft, actions: this.#actions, events: this.#events };
  }

  run(): void {
    const input = this.#input;
    if (Number.isNaN(this.#now)) {
      this.#ignore(`its time ${JSON.stringify(input.at)} is not an ISO time`);
      return;
    }
    switch (input.kind) {
      case 'tick':
        break;
      case 'seen':
        this.#seen(input);
        break;
      case 'progress':
        this.#progress(input);
        break;
      case 'pause':
      case 'resume':
        if (!this.#status(input.kind, null)) this.#ignore(`the rollout is ${this.#draft.status}: there is nothing to ${input.kind}`);
        break;
      case 'abort': {
        const reason = `aborted by the operator${typeof input.reason === 'string' && input.reason !== '' ? `: ${input.reason}` : ''}`;
        if (this.#status('abort', reason)) this.#rollBack(`rollout ${reason}`);
        else this.#ignore(`the rollout is ${this.#draft.status}: there is nothing to abort`);
        break;
      }
      case 'hold':
      case 'release':
        this.#hold(input.space, input.kind === 'hold');
        break;
      default:
        this.#ignore(`${JSON.stringify((input as { kind?: unknown }).kind)} is not an input the rollout knows`);
    }
    this.#settle();
  }

  #emit(event: JournalEvent): void {
    applyToDraft(this.#draft, event);
    this.#events.push(event);
  }

  #ignore(reason: string): void {
    const text = JSON.stringify(this.#input);
    this.#emit({ kind: 'ignored', at: this.#at, input: text.length > 300 ? `${text.slice(0, 299)}…` : text, reason });
  }

  #status(trigger: RolloutTrigger, reason: string | null): boolean {
    const from = this.#draft.status;
    const row = nextRolloutStatus(from, trigger);
    if (row === undefined) return false;
    this.#emit({ kind: 'status', at: this.#at, from, on: trigger, to: row.to, reason });
    return true;
  }

  #board(id: string, trigger: BoardTrigger, reason: string | null, bytes: number | null = null): boolean {
    const board = this.#boardOf(id) as BoardRollout;
    const row = nextBoardState(board.state, trigger);
    if (row === undefined) return false;
    this.#emit({ kind: 'board', at: this.#at, board: id, from: board.state, on: trigger, to: row.to, reason, bytes });
    if (trigger === 'offer') this.#actions.push({ kind: 'offer', board: id });
    if (trigger === 'commit') this.#actions.push({ kind: 'commit', board: id });
    if (trigger === 'roll-back') this.#actions.push({ kind: 'revert', board: id, reason: reason ?? 'the rollout was stopped' });
    return true;
  }

  #boardOf(id: unknown): BoardRollout | undefined {
    const at = boardIndex(this.#draft, id);
    return at === undefined ? undefined : this.#draft.boards[at];
  }

  #seen(input: Extract<RolloutInput, { kind: 'seen' }>): void {
    const board = this.#boardOf(input.board);
    if (board === undefined) return this.#ignore(`no board ${JSON.stringify(input.board)} in this rollout`);
    if (typeof input.online !== 'boolean') return this.#ignore('a board is seen online or not: `online` must be true or false');
    const image = typeof input.image === 'string' ? input.image : board.running;
    const busy = input.busy === true;
    if (!board.seen || board.online !== input.online || board.busy !== busy || board.running !== image) {
      this.#emit({ kind: 'seen', at: this.#at, board: board.board, online: input.online, busy, image });
    }
    if (image === board.target && (board.state === 'pending' || board.state === 'deferred')) this.#board(board.board, 'seen-target', null);
  }

  #progress(input: Extract<RolloutInput, { kind: 'progress' }>): void {
    const board = this.#boardOf(input.board);
    if (board === undefined) return this.#ignore(`no board ${JSON.stringify(input.board)} in this rollout`);
    if (!progressSteps.includes(input.step)) return this.#ignore(`${JSON.stringify(input.step)} is not a step (${progressSteps.join(', ')})`);
    const row = nextBoardState(board.state, input.step);
    if (row === undefined) return this.#ignore(`${board.board} reported ${input.step} while ${board.state}: the board table has no such step`);
    const given = typeof input.reason === 'string' && input.reason !== '' ? input.reason : null;
    const reason = given ?? (row.failure ? defaultReasons[input.step] ?? row.doc : null);
    const bytes = typeof input.bytes === 'number' && Number.isFinite(input.bytes) && input.bytes >= 0 ? Math.floor(input.bytes) : null;
    this.#board(board.board, input.step, reason, bytes);
  }

  #hold(space: unknown, held: boolean): void {
    if (typeof space !== 'string' || space === '') return this.#ignore('a hold names a space');
    const holds = this.#draft.holds;
    if (held && holds.includes(space)) return this.#ignore(`space ${space} is already held`);
    if (!held && !holds.includes(space)) return this.#ignore(`space ${space} is not held`);
    if (held && !this.#draft.boards.some((board) => within(board.space, space))) return this.#ignore(`no board of this rollout is in space ${space}`);
    this.#emit({ kind: 'hold', at: this.#at, space, held });
  }

  #settle(): void {
    const draft = this.#draft;
    if (!liveStatuses.includes(draft.status)) return;
    this.#timeouts();
    if (this.#checkLimit()) return;
    const open = insideWindow(draft.spec.windows, draft.spec.timezone, new Date(this.#now));
    if (draft.status === 'running' && !open) this.#status('window-closed', null);
    else if (draft.status === 'waiting-window' && open) this.#status('window-opened', null);
    this.#advanceWaves();
    this.#catchUp(open);
    this.#complete();
  }

  #timeouts(): void {
    const timeout = this.#draft.spec.healthTimeoutMs;
    const cutoff = new Date(this.#now - timeout).toISOString();
    for (const board of this.#boards()) {
      if (board.offeredAt === null || board.offeredAt > cutoff || !inFlightStates.includes(board.state)) continue;
      this.#board(board.board, 'timeout', `not healthy within ${formatDuration(timeout)} of its offer`);
    }
  }

  #checkLimit(): boolean {
    const draft = this.#draft;
    const why = overFailureLimit(draft.spec.maxFailures, draft.failures.length, draft.offered);
    if (why === undefined || !this.#status('over-limit', why)) return false;
    this.#rollBack(`rollout halted: ${why}`);
    return true;
  }

  /** Reverts every board of the current wave that is not committed: in flight, or healthy and waiting for its gate. */
  #rollBack(reason: string): void {
    for (const board of this.#boards()) {
      if (inFlightStates.includes(board.state) || board.state === 'healthy') this.#board(board.board, 'roll-back', reason);
    }
  }

  #advanceWaves(): void {
    const draft = this.#draft;
    while (draft.wave <= draft.spec.waves.length) {
      if (!draft.waveStarted) {
        if (draft.status !== 'running') return;
        // The first wave waits for the first tick: the gateway says what it knows (`seen`) first.
        if (draft.wave === 1 && this.#input.kind !== 'tick') return;
        this.#startWave();
      }
      if (this.#boards().some((board) => board.wave === draft.wave && inFlightStates.includes(board.state))) return;
      this.#passWave();
    }
  }

  /**
   * Reaches the wave's cumulative share of the boards to update. Boards that can take the
   * update now come first, so a wave's canary is a board that really gets it; the others
   * (offline, unseen, busy, held) are reached only when no ready board is left, and deferred.
   */
  #startWave(): void {
    const draft = this.#draft;
    const toUpdate = this.#boards().filter((board) => board.state !== 'unchanged');
    const reached = toUpdate.filter((board) => board.wave !== null).length;
    const size = draft.spec.waves[draft.wave - 1];
    const want = size === undefined ? 0 : waveTarget(size, toUpdate.length) - reached;
    const waiting = toUpdate.filter((board) => board.state === 'pending' && board.wave === null);
    const ready = waiting.filter((board) => this.#blocker(board) === null);
    const picked = [...ready, ...waiting.filter((board) => this.#blocker(board) !== null)].slice(0, Math.max(0, want));
    this.#emit({ kind: 'wave-started', at: this.#at, wave: draft.wave, boards: picked.map((board) => board.board) });
    for (const { board } of picked) {
      const blocker = this.#blocker(this.#boardOf(board) as BoardRollout);
      if (blocker === null) this.#board(board, 'offer', null);
      else this.#board(board, 'defer', blocker);
    }
  }

  #passWave(): void {
    const wave = this.#draft.wave;
    let committed = 0;
    for (const board of this.#boards()) {
      if (board.wave === wave && board.state === 'healthy' && this.#board(board.board, 'commit', null)) committed++;
    }
    const failed = this.#draft.failures.filter((failure) => failure.wave === wave).length;
    this.#emit({ kind: 'wave-passed', at: this.#at, wave, committed, failed });
  }

  /** Deferred boards that can take the update now are offered (in the current wave's gate, or alone after the last wave); healthy late boards are committed. */
  #catchUp(open: boolean): void {
    const draft = this.#draft;
    const offering = open && (draft.status === 'completed-with-deferred' || (draft.status === 'running' && draft.waveStarted) || (draft.status === 'running' && draft.wave > draft.spec.waves.length));
    if (offering) {
      for (const board of this.#boards()) if (board.state === 'deferred' && this.#blocker(board) === null) this.#board(board.board, 'offer', null);
    }
    if (draft.wave > draft.spec.waves.length) {
      for (const board of this.#boards()) if (board.state === 'healthy' && board.wave === draft.wave) this.#board(board.board, 'commit', null);
    }
  }

  #complete(): void {
    const draft = this.#draft;
    if (draft.status !== 'running' && draft.status !== 'waiting-window' && draft.status !== 'completed-with-deferred') return;
    if (draft.wave <= draft.spec.waves.length) return;
    const boards = this.#boards();
    if (boards.some((board) => inFlightStates.includes(board.state) || board.state === 'healthy')) return;
    if (boards.some((board) => board.state === 'pending' || board.state === 'deferred')) {
      if (draft.status !== 'completed-with-deferred') this.#status('waves-done-deferred', null);
      return;
    }
    this.#status(draft.failures.length > 0 ? 'done-with-failures' : 'all-done', null);
  }

  /** Why a board cannot take the update now, or null when it can (the rollout's own state and window aside). */
  #blocker(board: BoardRollout): string | null {
    if (!board.seen) return 'not seen yet';
    if (!board.online) return 'offline';
    if (board.busy) return 'busy: a meeting is in progress';
    const hold = this.#draft.holds.find((space) => within(board.space, space));
    return hold === undefined ? null : `space ${hold} is held`;
  }

  /** The boards in wave order, as they stand now. */
  #boards(): readonly BoardRollout[] {
    return this.#draft.boards;
  }
}

/** A space held holds every space under it: a hold on a floor holds its rooms. */
function within(space: string, held: string): boolean {
  return space === held || space.startsWith(`${held}/`);
}

const defaultReasons: Partial<Record<ProgressStep, string>> = {
  reverted: 'the board went back to its previous image',
  failed: 'the board reported a failure',
  refused: 'the board refused the update',
};
