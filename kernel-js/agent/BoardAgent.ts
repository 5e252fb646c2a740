import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import { otherSlot, slotNames } from '../boot/boardDirectory.js';
import { readBoardState, writeBoardState } from '../boot/boardStateFile.js';
import { bootBoard, type BootedBoard, type BootOptions } from '../boot/bootBoard.js';
import { confirmedState, healthyState, withoutAwaitingCommit } from '../boot/confirmedState.js';
import { readSlot } from '../boot/readSlot.js';
import { slotContext } from '../boot/slotContext.js';
import { connectGatewayRpc, type Admission, type BoardHandlers, type Credential, type Deployment, type FileRef, type GatewayEvent, type Health, type Hello, type PersonPreferences, type SessionHandlers, type SessionRemote } from '../net/gatewayRpc.js';
import { eraseMember } from '../record/eraseMember.js';
import { inactiveSlot, stagingDir, switchToStaged } from '../update/installUpdate.js';
import { nextUpdateState, type UpdateEvent, type UpdateState } from '../update/updateTable.js';
import { gatewayServerName, readAgentCredentials, type AgentCredentials, type GatewayAddress } from './agentCredentials.js';
import { BoardSystemCalls } from './BoardSystemCalls.js';
import { downloadFiles } from './downloadFiles.js';

export interface AgentOptions {
  /** The board directory (kernel-js/README.md). */
  readonly dir: string;
  readonly gateway: GatewayAddress;
  /** Defaults to the board directory's identity.pem, identity.crt and building-ca.crt. */
  readonly credentials?: AgentCredentials;
  /** The gate a new image passes before it is confirmed: heartbeats the gateway acknowledged, within a deadline. */
  readonly health?: { readonly heartbeats?: number; readonly timeoutMs?: number };
  /** Heartbeat period until the gateway's acknowledgement names its own. */
  readonly heartbeatMs?: number;
  /** Reconnection backoff: from baseMs, doubling, up to maxMs. */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  readonly boot?: Omit<BootOptions, 'confirm'>;
  /** Whether the board's space is busy (a meeting): the gateway upgrades it later. */
  readonly busy?: () => boolean;
  /** Called on every step of the update table, with the event that caused it. */
  readonly onState?: (state: UpdateState, event: UpdateEvent | 'restored') => void;
  /** Called with every report sent (or queued) for the gateway. */
  readonly onEvent?: (event: GatewayEvent) => void;
  /** Called with each board booted: the first boot and every restart into another slot. */
  readonly onBoot?: (board: BootedBoard) => void;
  readonly onConnection?: (connected: boolean, error?: Error) => void;
}

const defaults = { heartbeats: 3, timeoutMs: 60_000, heartbeatMs: 1_000, reconnect: { baseMs: 250, maxMs: 10_000 } };

/**
 * The board's update agent (docs/updates.md): boots the board's slot, keeps a mutually
 * authenticated Cap'n Proto session with the building's gateway (enrolment, heartbeats with
 * the board's health, reports), and carries out what the gateway asks — download an offered
 * image into the inactive slot (resuming after a cut, fetching only what the board lacks),
 * verify it, switch to it on trial, restart into it, and confirm it only once it passes the
 * health gate (its unikernel started, its self-test passed, N heartbeats acknowledged); a trial
 * that fails the gate goes back to the slot it ran before on its own, and says why. A commit
 * from the gateway raises the board's anti-rollback floor to the new image; a revert sends it
 * back. Every step is a row of updateTable, and every state survives a power cut: see
 * agentStateOf. The gateway also asks it to erase a person from the board's recordings.
 */
export class BoardAgent {
  readonly #o: AgentOptions;
  readonly #credentials: AgentCredentials;
  #board: BootedBoard | undefined;
  #state: UpdateState = 'idle';
  #socket: TLSSocket | undefined;
  #rpc: { readonly session: SessionRemote; close(): void } | undefined;
  readonly #systemCalls = new BoardSystemCalls();
  #closed = false;
  #work: Promise<void> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;
  /** The session whose heartbeat is awaiting its ack, and whether a step since asks for another at once. */
  #beating: SessionHandlers | undefined;
  #beatAgain = false;
  #heartbeatMs: number;
  #reconnect: NodeJS.Timeout | undefined;
  #failures = 0;
  #sequence = 0;
  #acked = 0;
  readonly #ackWaiters = new Set<() => void>();
  readonly #pending: GatewayEvent[] = [];
  #rollout = '';
  readonly #startedAt = Date.now();
  /**
   * Whether the running slot is confirmed and committed, as state.json says: read at each boot
   * and kept up to date by the agent's own writes (the only ones that change it between boots),
   * so a heartbeat does not read the disk.
   */
  #committed = false;

  private constructor(options: AgentOptions) {
    this.#o = options;
    this.#credentials = options.credentials ?? readAgentCredentials(options.dir);
    this.#heartbeatMs = options.heartbeatMs ?? defaults.heartbeatMs;
  }

  /** Boots the board, picks up where a power cut left an update, and connects to the gateway. */
  static async start(options: AgentOptions): Promise<BoardAgent> {
    const agent = new BoardAgent(options);
    await agent.#boot();
    agent.#restore();
    agent.#connect();
    return agent;
  }

  /** The board as booted now (it changes when the agent restarts it into another slot). */
  get board(): BootedBoard {
    if (this.#board === undefined) throw new Error('the board is not booted');
    return this.#board;
  }

  get state(): UpdateState {
    return this.#state;
  }

  /** The capabilities the gateway granted the running fragments (presence, log, network), for the session in progress. */
  get systemCalls(): BoardSystemCalls {
    return this.#systemCalls;
  }

  get connected(): boolean {
    return this.#rpc !== undefined;
  }

  /**
   * Someone showed `credential` (a badge id or a password) to this board: the gateway's front
   * desk admits them, over the board's own session, and answers their pseudonym. Only a board in
   * a space of kind entrance is answered (`rpc.capability-denied` otherwise); without a session
   * it is refused at once (`agent.not-connected`) rather than queued, since the person is
   * standing at the door. The credential is passed on, never kept or logged.
   */
  admit(credential: Credential, destination?: string, preferences?: PersonPreferences): Promise<Admission> {
    const rpc = this.#rpc;
    if (rpc === undefined || this.#closed) {
      const board = this.#board?.choice.identity.board ?? this.#o.dir;
      return Promise.reject(
        new OsmoseError('agent.not-connected', `${board} is not connected to the gateway: nobody can be admitted there now`, {
          hint: 'wait for the board to reach the gateway (osmose status shows it online), then show the badge again',
          data: { board },
        }),
      );
    }
    return rpc.session.admit({ credential, ...(destination === undefined ? {} : { destination }), ...(preferences === undefined ? {} : { preferences }) });
  }

  /** Resolves once every step asked of the agent so far is done. */
  settled(): Promise<void> {
    return this.#work;
  }

  health(): Health {
    const board = this.#board;
    const slot = board?.choice.slot ?? null;
    const unikernel = board?.watchdog.health();
    return {
      image: slot?.manifest.signed.image ?? '',
      version: slot?.version ?? 0,
      slot: slot?.slot ?? '',
      confirmed: this.#committed,
      agentState: this.#state,
      running: unikernel?.running ?? false,
      stops: unikernel?.stops.length ?? 0,
      uptimeMs: Date.now() - this.#startedAt,
      busy: this.#o.busy?.() ?? false,
      selfTest: '',
      sequence: ++this.#sequence,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
    if (this.#reconnect !== undefined) clearTimeout(this.#reconnect);
    this.#rpc?.close();
    this.#socket?.destroy();
    for (const wake of this.#ackWaiters) wake();
    await this.#work.catch(() => undefined);
    await this.#board?.close();
  }

  // --- the update table ---------------------------------------------------------------------

  #step(event: UpdateEvent): void {
    const next = nextUpdateState(this.#state, event);
    if (next === undefined) throw new Error(`update agent: no row for ${event} in state ${this.#state}`);
    this.#state = next;
    this.#o.onState?.(next, event);
    this.#beatNow();
  }

  /** Picks up after a restart: a slot on trial is judged again, one awaiting its commit is healthy. */
  #restore(): void {
    const state = readBoardState(this.#o.dir);
    this.#state = agentStateOf(state);
    this.#o.onState?.(this.#state, 'restored');
    if (this.#state === 'trial') this.#enqueue(() => this.#judgeTrial());
    if (state.lastBoot?.row === 'trial-failed') {
      this.#report({ kind: 'reverted', detail: `the new image was not confirmed healthy within ${state.bootLimit} boots: the board went back to slot ${state.active}` });
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#work = this.#work.then(task).catch((error: unknown) => {
      this.#report({ kind: 'failed', detail: error instanceof Error ? error.message : String(error) });
      if (this.#state !== 'idle' && this.#state !== 'healthy' && this.#state !== 'trial') this.#state = 'idle';
    });
  }

  // --- what the gateway asks ----------------------------------------------------------------

  readonly #handlers: BoardHandlers = {
    offer: (deployment) => Promise.resolve(this.#offer(deployment)),
    commit: (rollout) =>
      new Promise((resolve, reject) => {
        this.#enqueue(async () => {
          try {
            await this.#commit(rollout);
            resolve();
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      }),
    revert: (rollout, reason) =>
      new Promise((resolve) => {
        this.#enqueue(async () => {
          if (this.#state !== 'healthy') {
            resolve({ reverted: false, reason: `the board is ${this.#state}, not healthy and awaiting its commit` });
            return;
          }
          this.#rollout = rollout;
          await this.#revert('revert', `the gateway rolled the wave back: ${reason}`);
          resolve({ reverted: true, reason: '' });
        });
      }),
    // Not queued behind an update: a person's erasure waits for no download. The record
    // keeper of a running recording rewrites its manifest over what is on disk, so an entry
    // removed here does not come back (kernel-js/record/eraseMember.ts).
    erase: async (publicKey) => {
      const report = await eraseMember(join(this.#o.dir, 'data'), publicKey);
      this.#report({ kind: 'erased', detail: `${report.epochsRemoved} recordings, ${report.membershipsRemoved} memberships, ${report.activityRemoved} activity records`, bytes: report.bytesRemoved });
      return report;
    },
  };

  #offer(deployment: Deployment): { accepted: boolean; reason: string } {
    const running = this.#board?.choice.slot?.manifest.signed.image;
    if (deployment.image === running) return { accepted: false, reason: `the board already runs image ${deployment.image.slice(0, 12)}` };
    if (this.#state === 'refused' || this.#state === 'reverted') this.#step('reset');
    if (this.#state !== 'idle') return { accepted: false, reason: `the board is busy with an update (${this.#state})` };
    for (const file of deployment.files) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file.name) || !/^[0-9a-f]{64}$/.test(file.sha256)) return { accepted: false, reason: `the offer names a bad file: ${JSON.stringify(file.name)}` };
    }
    this.#rollout = deployment.rollout;
    this.#step('offered');
    this.#report({ kind: 'accepted', image: deployment.image, version: deployment.version });
    this.#enqueue(() => this.#install(deployment));
    return { accepted: true, reason: '' };
  }

  async #install(deployment: Deployment): Promise<void> {
    const dir = this.#o.dir;
    const staging = stagingDir(dir, inactiveSlot(dir));
    await mkdir(staging, { recursive: true });
    this.#report({ kind: 'downloading', image: deployment.image, version: deployment.version });
    let downloaded: number;
    try {
      const result = await downloadFiles({
        dir: staging,
        files: deployment.files,
        connect: { host: this.#o.gateway.host, port: this.#o.gateway.port, tls: { ...this.#credentials, servername: gatewayServerName } },
        board: this.#boardId(),
        reuse: (file: FileRef) => this.#localCopy(file),
      });
      downloaded = result.downloaded;
    } catch (error) {
      this.#step('download-failed');
      this.#report({ kind: 'failed', image: deployment.image, detail: `download: ${messageOf(error)}` });
      return;
    }
    this.#step('downloaded');
    this.#report({ kind: 'downloaded', image: deployment.image, version: deployment.version, bytes: downloaded });
    try {
      await switchToStaged(dir, deployment.files.map((file) => file.name), [], 'staged');
      this.#step('verified');
      this.#step('switched');
    } catch (error) {
      this.#state = 'refused';
      this.#o.onState?.('refused', 'verify-failed');
      this.#report({ kind: 'refused', image: deployment.image, detail: messageOf(error) });
      return;
    }
    this.#report({ kind: 'installed', image: deployment.image, version: deployment.version });
    await this.#restart();
    const board = this.#board;
    await board?.settled;
    if (board?.watchdog.health().running !== true) {
      const stop = board?.watchdog.health().stops.at(-1);
      await this.#revert('boot-failed', `the new image did not start: ${stop?.error.message ?? 'no slot verified'}`);
      return;
    }
    this.#step('booted');
    await this.#judgeTrial();
  }

  /** The health gate of a slot on trial: started, self-test passed, heartbeats acknowledged, no stop meanwhile. */
  async #judgeTrial(): Promise<void> {
    const board = this.#board;
    if (board === undefined) return;
    await board.settled;
    const first = board.watchdog.health();
    if (!first.running) {
      await this.#revert('unhealthy', `the new image stopped: ${first.stops.at(-1)?.error.message ?? 'it did not start'}`);
      return;
    }
    const selfTest = board.watchdog.selfTest();
    if (!selfTest.ok) {
      await this.#revert('unhealthy', `self-test failed: ${selfTest.reason}`);
      return;
    }
    const gate = { heartbeats: this.#o.health?.heartbeats ?? defaults.heartbeats, timeoutMs: this.#o.health?.timeoutMs ?? defaults.timeoutMs };
    const target = this.#acked + gate.heartbeats;
    const deadline = Date.now() + gate.timeoutMs;
    while (this.#acked < target && !this.#closed) {
      if (Date.now() >= deadline) {
        await this.#revert('unhealthy', `only ${gate.heartbeats - (target - this.#acked)} of ${gate.heartbeats} heartbeats were acknowledged by the gateway within ${gate.timeoutMs} ms`);
        return;
      }
      await this.#nextAck(deadline - Date.now());
      if (board.watchdog.health().stops.length > first.stops.length) {
        await this.#revert('unhealthy', `the new image stopped during its trial: ${board.watchdog.health().stops.at(-1)?.error.message ?? ''}`);
        return;
      }
    }
    if (this.#closed) return;
    await writeBoardState(this.#o.dir, healthyState(readBoardState(this.#o.dir)));
    this.#committed = false;
    this.#step('healthy');
    const slot = board.choice.slot;
    this.#report({ kind: 'healthy', image: slot?.manifest.signed.image ?? '', version: slot?.version ?? 0 });
  }

  async #commit(rollout: string): Promise<void> {
    if (this.#state !== 'healthy') return;
    const dir = this.#o.dir;
    const state = readBoardState(dir);
    const reading = readSlot(dir, state.active, slotContext(dir, this.#boardId(), state, new Date()));
    if (!reading.ok) throw new Error(`cannot commit: ${reading.reason}`);
    await writeBoardState(dir, confirmedState(state, reading.slot));
    this.#committed = true;
    this.#rollout = rollout;
    this.#step('committed');
    this.#report({ kind: 'committed', image: reading.slot.manifest.signed.image, version: reading.slot.version });
  }

  /** Back to the slot the board ran before, confirmed; restarted into it. Why is reported. */
  async #revert(event: 'boot-failed' | 'unhealthy' | 'revert', reason: string): Promise<void> {
    const dir = this.#o.dir;
    const state = readBoardState(dir);
    const back = otherSlot(state.active);
    const reading = readSlot(dir, back, slotContext(dir, this.#boardId(), state, new Date()));
    if (!reading.ok) {
      this.#report({ kind: 'failed', detail: `${reason}; and slot ${back} cannot be gone back to: ${reading.reason}` });
      return;
    }
    await writeBoardState(dir, { ...withoutAwaitingCommit(state), active: back, confirmed: true, bootCount: 0 });
    this.#step(event);
    await this.#restart();
    this.#report({ kind: 'reverted', image: reading.slot.manifest.signed.image, version: reading.slot.version, detail: reason });
    this.#step('reset');
  }

  async #restart(): Promise<void> {
    await this.#board?.close();
    this.#board = undefined;
    await this.#boot();
  }

  async #boot(): Promise<void> {
    const onLog = this.#o.boot?.onLog;
    this.#board = await bootBoard(this.#o.dir, {
      ...this.#o.boot,
      confirm: 'by-agent',
      presence: this.#systemCalls.presence,
      onLog: (instance, level, message) => {
        onLog?.(instance, level, message);
        this.#systemCalls.log(instance, level, message);
      },
    });
    const state = readBoardState(this.#o.dir);
    this.#committed = state.confirmed && state.awaitingCommit !== true;
    this.#o.onBoot?.(this.#board);
    // Another slot may run other fragments, with other grants.
    this.#attachSystemCalls();
  }

  #boardId(): string {
    return this.#board?.choice.identity.board ?? '';
  }

  /** A file of the offer the board already has, in either slot: copied, not downloaded. */
  async #localCopy(file: FileRef): Promise<Uint8Array | undefined> {
    for (const slot of slotNames) {
      const bytes = await readFile(join(this.#o.dir, slot, file.name)).catch(() => undefined);
      if (bytes !== undefined && bytes.length === file.length && createHash('sha256').update(bytes).digest('hex') === file.sha256) return bytes;
    }
    return undefined;
  }

  // --- the gateway session ------------------------------------------------------------------

  #report(event: Partial<GatewayEvent> & { readonly kind: string }): void {
    const full: GatewayEvent = { rollout: this.#rollout, image: '', version: 0, slot: '', detail: '', bytes: 0, ...event, at: new Date().toISOString() };
    this.#o.onEvent?.(full);
    const session = this.#rpc?.session;
    if (session === undefined) {
      this.#pending.push(full);
      return;
    }
    session.report(full).catch(() => this.#pending.push(full));
  }

  #hello(): Hello {
    const health = this.health();
    const board = this.#board;
    return {
      board: board?.choice.identity.board ?? '',
      type: board?.choice.identity.type ?? '',
      image: health.image,
      version: health.version,
      slot: health.slot,
      confirmed: health.confirmed,
      agentState: this.#state,
      shim: 'kernel-js',
    };
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = connect({
      host: this.#o.gateway.host,
      port: this.#o.gateway.port,
      key: this.#credentials.key,
      cert: this.#credentials.cert,
      ca: this.#credentials.ca,
      servername: gatewayServerName,
      minVersion: 'TLSv1.3',
      ALPNProtocols: ['osmose-rpc'],
    });
    this.#socket = socket;
    let down = false;
    const lost = (error?: Error): void => {
      if (down) return;
      down = true;
      this.#rpc = undefined;
      this.#systemCalls.detach();
      if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
      socket.destroy();
      this.#o.onConnection?.(false, error);
      if (this.#closed) return;
      const backoff = this.#o.reconnect ?? defaults.reconnect;
      const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(this.#failures++, 16));
      this.#reconnect = setTimeout(() => this.#connect(), delay * (0.5 + Math.random() / 2));
    };
    socket.once('error', lost);
    socket.once('close', () => lost());
    socket.once('secureConnect', () => {
      connectGatewayRpc(socket, this.#hello(), this.#handlers, { onClose: (error) => lost(error) })
        .then((rpc) => {
          if (down) {
            rpc.close();
            return;
          }
          this.#rpc = rpc;
          this.#failures = 0;
          this.#attachSystemCalls();
          this.#o.onConnection?.(true);
          for (const event of this.#pending.splice(0)) rpc.session.report(event).catch(() => this.#pending.push(event));
          this.#beat();
        })
        .catch((error: unknown) => lost(error instanceof Error ? error : new Error(String(error))));
    });
  }

  /**
   * A heartbeat now rather than when due, for a step of the update table: the gateway may ask a
   * settled board for rare heartbeats, and must not wait for one to learn that the board is on
   * trial (whose health gate counts heartbeats at the gateway's own pace).
   */
  #beatNow(): void {
    const rpc = this.#rpc;
    if (rpc === undefined || this.#closed) return;
    if (this.#beating === rpc.session) {
      this.#beatAgain = true;
      return;
    }
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
    this.#beat();
  }

  #beat(): void {
    const rpc = this.#rpc;
    if (rpc === undefined || this.#closed) return;
    this.#beating = rpc.session;
    this.#beatAgain = false;
    rpc.session
      .heartbeat(this.health())
      .then((ack) => {
        this.#acked++;
        if (ack.intervalMs > 0) this.#heartbeatMs = ack.intervalMs;
        for (const wake of this.#ackWaiters) wake();
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.#beating === rpc.session) this.#beating = undefined;
        if (this.#rpc !== rpc || this.#closed) return;
        if (this.#beatAgain) this.#beat();
        else this.#heartbeat = setTimeout(() => this.#beat(), this.#heartbeatMs);
      });
  }

  /** Obtains the running fragments' capabilities on the session in progress (BoardSystemCalls). */
  #attachSystemCalls(): void {
    const rpc = this.#rpc;
    if (rpc === undefined || this.#closed) return;
    void this.#systemCalls.attach(rpc.session, this.#board?.choice.slot?.config.fragments ?? []);
  }

  #nextAck(withinMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#ackWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, withinMs));
      this.#ackWaiters.add(wake);
    });
  }
}

/** The agent's state as the board directory shows it after a restart. */
export function agentStateOf(state: ReturnType<typeof readBoardState>): UpdateState {
  if (!state.confirmed) return 'trial';
  if (state.awaitingCommit === true) return 'healthy';
  return 'idle';
}

function messageOf(error: unknown): string {
  if (isOsmoseError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
