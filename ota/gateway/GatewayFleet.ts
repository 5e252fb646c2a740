import type { BoardRemote, Deployment, EraseAnswer, GatewayEvent, Health, Hello } from '../../kernel-js/net/gatewayTypes.js';
import type { BoardRecord } from './BoardRecord.js';
import { snapshotSources } from '../../builder/build/snapshotSources.js';
import { ledgerHead } from '../../builder/ledger/ledgerHead.js';
import { refreshRepository } from '../../builder/trust/refreshRepository.js';
import { InputError, isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import { RolloutJournal } from '../rollout/RolloutJournal.js';
import { resumeRollout } from '../rollout/resumeRollout.js';
import { boardIndex } from '../rollout/rolloutBoard.js';
import { progressSteps, type ProgressStep, type RolloutAction, type RolloutInput } from '../rollout/RolloutInput.js';
import type { MaintenanceWindow, MaxFailures, WaveSize } from '../rollout/RolloutSpec.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import { startRollout } from '../rollout/startRollout.js';
import { stepRollout } from '../rollout/stepRollout.js';
import { BuildFiles, type BoardSlot } from './BuildFiles.js';

export type { BoardRecord };

/** The session of one connected board, as the gateway's RPC service drives it. */
export interface FleetBoard {
  heartbeat(health: Health): void;
  report(event: GatewayEvent): void;
  gone(): void;
}

export interface RolloutRequest {
  readonly waves: readonly WaveSize[];
  readonly maxFailures: MaxFailures;
  readonly windows: readonly MaintenanceWindow[];
  readonly healthTimeoutMs: number;
  /** Only these boards of the build (the scheduler's, after a failover); every board by default. */
  readonly boards?: readonly string[];
}

/** A change of a board's link to the gateway, as watchBoards tells it: it enrolled, sent a heartbeat, or its session ended. */
export interface BoardLink {
  readonly kind: 'enrolled' | 'heartbeat' | 'gone';
  readonly board: string;
  /** ISO time the gateway saw it. */
  readonly at: string;
  /** What the gateway knows of the board after the change. */
  readonly record: BoardRecord;
}

interface Connected {
  remote: BoardRemote;
  record: BoardRecord;
}

/** What erasing a person removed from one board: its recordings (Board.erase over the board's session). */
export interface BoardErasure extends EraseAnswer {
  readonly board: string;
}

/**
 * The gateway's fleet: every board of the latest build, what each last said, and the rollout
 * in progress. Board sessions feed the rollout engine (ota/rollout) what they see — a board
 * online with an image, its progress reports — and the fleet carries out the engine's
 * actions over the boards' capabilities: offer, commit, revert. Every change of the rollout is
 * journalled on refs/osmose/rollouts, and a gateway started again picks the rollout up from
 * there (resumeRollout); the boards' own reports bring back what the last batch lost.
 */
export class GatewayFleet {
  readonly #root: string;
  readonly #tickMs: number;
  readonly #onLog: (line: string) => void;
  #build: BuildFiles;
  readonly #records = new Map<string, BoardRecord>();
  readonly #connected = new Map<string, Connected>();
  #rollout: RolloutState | undefined;
  #rolloutBuild: BuildFiles | undefined;
  #journal: RolloutJournal | undefined;
  #ticker: NodeJS.Timeout | undefined;
  readonly #watchers = new Set<(state: RolloutState) => void>();
  readonly #linkWatchers = new Set<(link: BoardLink) => void>();
  /** Boards with an offer on its way (waiting for the journal, or for the board's answer): not offered again meanwhile. */
  readonly #offering = new Set<string>();
  #closed = false;

  private constructor(root: string, build: BuildFiles, tickMs: number, onLog: (line: string) => void) {
    this.#root = root;
    this.#build = build;
    this.#tickMs = tickMs;
    this.#onLog = onLog;
  }

  static async open(options: { readonly root: string; readonly build: BuildFiles; readonly tickMs?: number; readonly onLog?: (line: string) => void }): Promise<GatewayFleet> {
    const fleet = new GatewayFleet(options.root, options.build, options.tickMs ?? 1_000, options.onLog ?? (() => undefined));
    const resumed = await resumeRollout(options.root);
    if (resumed !== undefined) {
      fleet.#rollout = resumed;
      fleet.#journal = await RolloutJournal.reopen(options.root, resumed.spec.id, fleet.#journalOptions());
      fleet.#rolloutBuild = resumed.spec.build === options.build.commit ? options.build : await BuildFiles.open(options.root, resumed.spec.build);
      fleet.#onLog(`resumed rollout ${resumed.spec.id} (${resumed.status}, wave ${resumed.wave} of ${resumed.spec.waves.length}) from the ledger`);
    }
    return fleet;
  }

  start(): void {
    this.#ticker = setInterval(() => this.#feed({ kind: 'tick', at: now() }), this.#tickMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    await this.#journal?.close();
  }

  #journalOptions(): { onError: (error: unknown) => void } {
    return { onError: (error) => this.#onLog(`the rollout journal could not be written (its events wait for the next batch): ${error instanceof Error ? error.message : String(error)}`) };
  }

  get build(): BuildFiles {
    return this.#build;
  }

  get rollout(): RolloutState | undefined {
    return this.#rollout;
  }

  /** Whether `board` is a board of the latest build (or of the rollout in progress). */
  knows(board: string): boolean {
    return this.#build.has(board) || (this.#rolloutBuild?.has(board) ?? false);
  }

  boards(): BoardRecord[] {
    const ids = new Set([...this.#build.rolloutTargets().map((target) => target.board), ...this.#records.keys()]);
    return [...ids].sort().map((board) => this.#records.get(board) ?? offlineRecord(board));
  }

  /** The slot a board may fetch now: its image in the rollout in progress, if the rollout has reached it. */
  async slotFor(board: string): Promise<BoardSlot | undefined> {
    const state = this.#rollout?.boards.find((entry) => entry.board === board);
    if (state === undefined || this.#rolloutBuild === undefined) return undefined;
    if (!['offered', 'downloading', 'downloaded', 'installed'].includes(state.state)) return undefined;
    return this.#rolloutBuild.slot(board);
  }

  enrol(hello: Hello, remote: BoardRemote): FleetBoard {
    const previous = this.#connected.get(hello.board);
    const record: BoardRecord = {
      ...(this.#records.get(hello.board) ?? offlineRecord(hello.board)),
      type: hello.type,
      online: true,
      image: hello.image,
      version: hello.version,
      slot: hello.slot,
      confirmed: hello.confirmed,
      agentState: hello.agentState,
    };
    this.#records.set(hello.board, record);
    const connected: Connected = { remote, record };
    this.#connected.set(hello.board, connected);
    if (previous !== undefined) this.#onLog(`${hello.board} connected again; its previous session is dropped`);
    this.#link('enrolled', record);
    // Where the board stood before this enrolment: seeing it online may offer it the update
    // afresh (a deferred board), and that offer must not be sent twice.
    const inRollout = this.#rollout?.boards.find((entry) => entry.board === hello.board);
    this.#feed({ kind: 'seen', at: now(), board: hello.board, online: true, image: hello.image });
    // A board that came back healthy on the new image tells the engine so; one that lost its
    // offer (the board or the gateway restarted before it was done) gets it again and resumes.
    if (hello.agentState === 'healthy') this.#progress(hello.board, 'healthy', null);
    // A commit sent as the board went down was lost with it: the board still awaits it.
    if (hello.agentState === 'healthy' && inRollout?.state === 'committed' && hello.image === inRollout.target) this.#act(this.#rollout as RolloutState, { kind: 'commit', board: hello.board });
    if (inRollout !== undefined && ['offered', 'downloading', 'downloaded'].includes(inRollout.state) && hello.image !== inRollout.target && ['idle', 'refused', 'reverted'].includes(hello.agentState) && !this.#offering.has(hello.board)) {
      this.#act(this.#rollout as RolloutState, { kind: 'offer', board: hello.board });
    }
    let lastSequence = -1;
    return {
      heartbeat: (health) => {
        if (this.#connected.get(hello.board) !== connected) return;
        const before = this.#records.get(hello.board) ?? record;
        const missed = lastSequence >= 0 && health.sequence > lastSequence + 1 ? health.sequence - lastSequence - 1 : 0;
        lastSequence = health.sequence;
        const next: BoardRecord = {
          ...before,
          online: true,
          image: health.image,
          version: health.version,
          slot: health.slot,
          confirmed: health.confirmed,
          agentState: health.agentState,
          running: health.running,
          stops: health.stops,
          busy: health.busy,
          lastHeartbeat: now(),
          heartbeats: before.heartbeats + 1,
          missed: before.missed + missed,
        };
        this.#records.set(hello.board, next);
        this.#link('heartbeat', next);
        if (next.busy !== before.busy || next.image !== before.image) this.#feed({ kind: 'seen', at: now(), board: hello.board, online: true, image: next.image, busy: next.busy });
      },
      report: (event) => {
        const before = this.#records.get(hello.board) ?? record;
        this.#records.set(hello.board, { ...before, lastEvent: event });
        if (event.kind === 'accepted') return;
        if ((progressSteps as readonly string[]).includes(event.kind)) this.#progress(hello.board, event.kind as ProgressStep, event.detail === '' ? null : event.detail, event.bytes);
      },
      gone: () => {
        if (this.#connected.get(hello.board) !== connected) return;
        this.#connected.delete(hello.board);
        const before = this.#records.get(hello.board) ?? record;
        this.#records.set(hello.board, { ...before, online: false });
        this.#link('gone', { ...before, online: false });
        this.#feed({ kind: 'seen', at: now(), board: hello.board, online: false, image: null });
      },
    };
  }

  // --- erasure ------------------------------------------------------------------------------

  /**
   * Erases a person from the recordings of every board of the latest build that can keep them
   * (one with an enclave device), by the public key of their visit (raw X25519, 32 bytes), and
   * answers what each removed, by board. A board left out would keep the person's recordings,
   * so when any of them is not connected nothing is asked of anyone (`erase.board-offline`,
   * naming them). A board that fails after others have erased is reported by
   * `erase.board-failed`, whose data holds what the others removed: erasing again is safe.
   */
  async eraseMember(publicKey: Uint8Array): Promise<BoardErasure[]> {
    if (publicKey.length !== 32) {
      throw new InputError('erase.bad-key', `a person is erased by the 32-byte X25519 public key of their visit; got ${publicKey.length} bytes`, { hint: "give the key the building's register holds for them", data: { length: publicKey.length } });
    }
    const keepers = this.#build.plan.boards
      .filter((board) => Object.values(board.devices).some((device) => device.driver === 'enclave'))
      .map((board) => board.id)
      .sort();
    const offline = keepers.filter((board) => !this.#connected.has(board));
    if (offline.length > 0) {
      throw new InputError('erase.board-offline', `${offline.join(', ')} ${offline.length === 1 ? 'keeps' : 'keep'} recordings and ${offline.length === 1 ? 'is' : 'are'} not connected to the gateway: nothing was erased`, {
        hint: 'bring the boards back (osmose status shows which are online), then erase again',
        data: { offline },
      });
    }
    const asked = keepers.map((board) => ({ board, remote: (this.#connected.get(board) as Connected).remote }));
    const answers = await Promise.allSettled(asked.map(({ remote }) => remote.erase(publicKey)));
    const erased: BoardErasure[] = [];
    const failed: { board: string; code: string; message: string }[] = [];
    answers.forEach((answer, i) => {
      const board = asked[i]?.board ?? '';
      if (answer.status === 'fulfilled') erased.push({ board, ...answer.value });
      else failed.push({ board, code: isOsmoseError(answer.reason) ? answer.reason.code : 'erase.failed', message: answer.reason instanceof Error ? answer.reason.message : String(answer.reason) });
    });
    this.#onLog(`erased a person from ${erased.length} of ${keepers.length} boards that keep recordings${failed.length === 0 ? '' : `; ${failed.map((f) => `${f.board} failed: ${f.message}`).join('; ')}`}`);
    if (failed.length > 0) {
      throw new OsmoseError('erase.board-failed', `erasing failed on ${failed.map((f) => `${f.board} (${f.message})`).join(', ')}; ${erased.length} other boards erased`, {
        hint: 'erase again once the board is back: what is already erased stays erased',
        data: { failed, erased },
      });
    }
    return erased;
  }

  // --- rollouts -----------------------------------------------------------------------------

  /** Starts rolling the latest build out. Refused while another rollout is live. */
  async startRollout(request: RolloutRequest): Promise<RolloutState> {
    if (this.#rollout !== undefined && !isFinal(this.#rollout)) {
      throw new InputError('rollout.in-progress', `rollout ${this.#rollout.spec.id} is ${this.#rollout.status}`, { hint: 'wait for it, or osmose rollout abort', data: { rollout: this.#rollout.spec.id } });
    }
    // A build older than half its timestamp's life is signed again first (what osmose build
    // does when nothing changed), so no board refuses it as expired halfway through.
    const head = await ledgerHead(this.#root);
    if (head !== undefined) await refreshRepository({ root: this.#root, commit: head, sources: (await snapshotSources(this.#root)).files, now: new Date(), timestamp: Math.floor(Date.now() / 1000) });
    this.#build = await BuildFiles.open(this.#root);
    const timezone = this.#build.plan.building.timezone ?? 'UTC';
    const id = `r-${this.#build.commit.slice(0, 8)}-${Date.now().toString(36)}`;
    const { boards, ...options } = request;
    const targets = this.#build.rolloutTargets().filter((target) => boards?.includes(target.board) ?? true);
    const spec = { id, build: this.#build.commit, startedAt: now(), ...options, timezone, targets };
    // The rollout before may have ended in a batch not yet written (an abort just now): the
    // ledger would still name it current and refuse this one.
    await this.#journal?.flush();
    const journal = await RolloutJournal.create(this.#root, spec, this.#journalOptions());
    await this.#journal?.close();
    this.#journal = journal;
    this.#rolloutBuild = this.#build;
    this.#rollout = startRollout(spec);
    this.#onLog(`rollout ${id}: ${spec.targets.length} boards, waves ${request.waves.length}`);
    // What the gateway already knows of each board starts the engine off.
    for (const record of this.#records.values()) {
      this.#feed({ kind: 'seen', at: now(), board: record.board, online: record.online, image: record.online ? record.image : null, busy: record.busy });
    }
    this.#feed({ kind: 'tick', at: now() });
    return this.#rollout;
  }

  /** Pause, resume, abort, hold or release: what the operator asks of the rollout in progress. */
  control(input: RolloutInput): RolloutState {
    if (this.#rollout === undefined) throw new InputError('rollout.none', 'no rollout has been started on this gateway', { hint: 'start one with osmose rollout', data: {} });
    this.#feed(input);
    return this.#rollout;
  }

  /** Calls `watch` with every board's enrolments, heartbeats and ends of session (ota/scheduler watches for lost boards), until the returned function is called. */
  watchBoards(watch: (link: BoardLink) => void): () => void {
    this.#linkWatchers.add(watch);
    return () => this.#linkWatchers.delete(watch);
  }

  #link(kind: BoardLink['kind'], record: BoardRecord): void {
    for (const watch of this.#linkWatchers) watch({ kind, board: record.board, at: now(), record });
  }

  /** Calls `watch` with the rollout's state after every change, until the returned function is called. */
  watch(watch: (state: RolloutState) => void): () => void {
    this.#watchers.add(watch);
    return () => this.#watchers.delete(watch);
  }

  async flush(): Promise<void> {
    await this.#journal?.flush();
  }

  #progress(board: string, step: ProgressStep, reason: string | null, bytes?: number): void {
    this.#feed({ kind: 'progress', at: now(), board, step, ...(reason === null ? {} : { reason }), ...(bytes === undefined || bytes === 0 ? {} : { bytes }) });
  }

  #feed(input: RolloutInput): void {
    const state = this.#rollout;
    if (state === undefined || this.#closed) return;
    // A rollout of some boards only (a failover's) has nothing to learn from the others coming and going.
    if (input.kind === 'seen' && boardIndex(state, input.board) === undefined) return;
    const step = stepRollout(state, input);
    this.#rollout = step.state;
    const meaningful = step.events.filter((event) => event.kind !== 'ignored' || input.kind !== 'tick');
    if (meaningful.length > 0) this.#journal?.record(meaningful);
    if (step.actions.length > 0) this.#actAfterJournal(step.state, step.actions);
    if (step.events.length > 0) for (const watch of this.#watchers) watch(step.state);
  }

  /**
   * Carries out the engine's actions once the events that decided them are on the ledger
   * (write-ahead): a gateway killed right after an offer, a commit or a revert resumes knowing
   * it made it. Acting first and journalling later could lose, with the last batch, a wave a
   * board was already offered (its download then refused, its report ignored) or a commit it
   * had already taken (the board left in flight until it timed out).
   */
  #actAfterJournal(state: RolloutState, actions: readonly RolloutAction[]): void {
    for (const action of actions) if (action.kind === 'offer') this.#offering.add(action.board);
    const act = (): void => {
      for (const action of actions) this.#act(state, action);
    };
    const journal = this.#journal;
    if (journal === undefined) return act();
    journal.flush().then(act, (error: unknown) => {
      this.#onLog(`the rollout journal could not be written before acting on it: ${error instanceof Error ? error.message : String(error)}`);
      act();
    });
  }

  #act(state: RolloutState, action: RolloutAction): void {
    const connected = this.#connected.get(action.board);
    const rollout = state.spec.id;
    if (connected === undefined) {
      // The engine offers only online boards; one that left meanwhile is seen offline (and
      // offered again when it enrols).
      this.#offering.delete(action.board);
      this.#feed({ kind: 'seen', at: now(), board: action.board, online: false, image: null });
      return;
    }
    const failed = (error: unknown): void => this.#onLog(`${action.board}: ${action.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
    switch (action.kind) {
      case 'offer':
        this.#offering.add(action.board);
        void this.#deployment(rollout, action.board)
          .then((deployment) => connected.remote.offer(deployment))
          .then((answer) => {
            if (!answer.accepted) this.#progress(action.board, 'refused', answer.reason);
          })
          .catch(failed)
          .finally(() => this.#offering.delete(action.board));
        break;
      case 'commit':
        connected.remote.commit(rollout).catch(failed);
        break;
      case 'revert':
        connected.remote
          .revert(rollout, action.reason)
          .then((answer) => {
            if (!answer.reverted) this.#onLog(`${action.board} did not revert: ${answer.reason}`);
          })
          .catch(failed);
        break;
    }
  }

  async #deployment(rollout: string, board: string): Promise<Deployment> {
    const build = this.#rolloutBuild ?? this.#build;
    const slot = await build.slot(board);
    return { rollout, build: build.commit, image: slot.image, version: slot.version, files: slot.files };
  }
}

function isFinal(state: RolloutState): boolean {
  return ['completed', 'completed-with-failures', 'halted', 'aborted'].includes(state.status);
}

function offlineRecord(board: string): BoardRecord {
  return { board, type: '', online: false, image: '', version: 0, slot: '', confirmed: false, agentState: '', running: false, stops: 0, busy: false, lastHeartbeat: null, heartbeats: 0, missed: 0, lastEvent: null };
}

function now(): string {
  return new Date().toISOString();
}
