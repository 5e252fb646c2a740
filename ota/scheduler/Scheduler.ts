import { watch as watchFiles, type FSWatcher } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildBuilding, type BuildReport } from '../../builder/build/buildBuilding.js';
import { readJson } from '../../builder/ledger/ledgerHistory.js';
import { ledgerHead } from '../../builder/ledger/ledgerHead.js';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import type { DownBoard } from '../../builder/plan/PlanSchedule.js';
import { readSchedule } from '../../builder/plan/schedule/readSchedule.js';
import { scheduleLayout } from '../../builder/plan/schedule/scheduleLayout.js';
import { updateSchedule } from '../../builder/plan/schedule/updateSchedule.js';
import type { ValidationIssue } from '../../builder/validate/ValidationIssue.js';
import { formatIssues } from '../../builder/validate/formatIssues.js';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import type { GatewayFleet } from '../gateway/GatewayFleet.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import { finalRolloutStatuses } from '../rollout/rolloutTable.js';
import { LivenessWatch, type LostBoard, type ReturnedBoard } from './LivenessWatch.js';
import type { RescheduleCause, RescheduleRecord } from './RescheduleRecord.js';

/** What the scheduler watches (the fleet's boards, the building's files) and how it reacts; failover and the watch are each off unless asked for. */
export interface SchedulerOptions {
  /** The building repository the gateway serves. */
  readonly root: string;
  readonly fleet: GatewayFleet;
  /** Failover: a board is lost after this many of its heartbeat intervals without one. Off when undefined. */
  readonly lostAfter?: number;
  /** The gateway's heartbeat paces (GatewayOptions): a board on trial beats at the first, others at the second. */
  readonly heartbeatMs: number;
  readonly idleHeartbeatMs?: number;
  /** Topology: build and roll out again when building.yaml, the policies or an app's source change on disk. */
  readonly watch?: boolean;
  /** How long a board the scheduler offers an image has to be healthy; 2 minutes by default. */
  readonly healthTimeoutMs?: number;
  /** How long the files must be still before a change is acted on; 300 ms by default. */
  readonly settleMs?: number;
  readonly onLog?: (line: string) => void;
  /** Each record as it is written to the ledger. */
  readonly onRecord?: (record: RescheduleRecord) => void;
}

type Job =
  | { readonly kind: 'lost'; readonly lost: LostBoard }
  | { readonly kind: 'returned'; readonly back: ReturnedBoard }
  | { readonly kind: 'topology'; readonly at: string; readonly files: Set<string> };

interface Active {
  record: RescheduleRecord;
  readonly rollout: string;
}

const defaults = { healthTimeoutMs: 120_000, settleMs: 300 } as const;

/**
 * The gateway's scheduler (docs/scheduler.md). It watches the boards' links: a board that
 * sends no heartbeat for `lostAfter` of its intervals, or whose connection drops and does not
 * come back within that time, is lost. Then it records the board down on refs/osmose/schedule,
 * builds the building again in this process (the content-addressed build recompiles and
 * re-signs only what changed: the boards the plan moved fragments and circuits to), and rolls
 * the build out at once, in one wave and regardless of maintenance windows, to the boards
 * whose image changed — the dead board aside. When every one of them is healthy and committed,
 * service is restored: the time from detection is logged and recorded beside the schedule. A
 * lost board heard again is recorded back (its fragments stay on the spare until the operator
 * moves them back) and given an image that runs nothing. With `watch`, a change to
 * building.yaml, the policies or an app is built and rolled out the same way; a change the
 * build refuses is reported, and nothing is rolled out.
 *
 * Reschedules run one at a time, in order. One that needs the gateway while a rollout runs
 * aborts it (the scheduler's own, whose unfinished boards it then takes on, or the operator's):
 * a failover does not wait.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #log: (line: string) => void;
  readonly #liveness: LivenessWatch | undefined;
  readonly #records: RescheduleRecord[] = [];
  readonly #unwatch: (() => void)[] = [];
  #files: FSWatcher | undefined;
  #settle: NodeJS.Timeout | undefined;
  #queue: Job[] = [];
  #running: Promise<void> | undefined;
  #active: Active | undefined;
  #writes: Promise<void> = Promise.resolve();
  #sequence = 0;
  #closed = false;

  private constructor(options: SchedulerOptions, down: readonly DownBoard[]) {
    this.#o = options;
    this.#log = options.onLog ?? (() => undefined);
    const { lostAfter } = options;
    if (lostAfter !== undefined) {
      const idle = options.idleHeartbeatMs ?? options.heartbeatMs;
      this.#liveness = new LivenessWatch({
        lostAfter,
        intervalOf: (record) => (record.agentState === 'trial' ? options.heartbeatMs : idle),
        lost: down.filter((entry) => entry.returned === null).map((entry) => entry.board),
        onLost: (lost) => this.#enqueue({ kind: 'lost', lost }),
        onReturned: (back) => this.#enqueue({ kind: 'returned', back }),
      });
      const liveness = this.#liveness;
      this.#unwatch.push(options.fleet.watchBoards((link) => liveness.link(link)));
    }
    this.#unwatch.push(options.fleet.watch((state) => this.#rolloutChanged(state)));
  }

  /** Starts watching: the boards' links with `lostAfter`, the building's files with `watch`. */
  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const { down } = await readSchedule(options.root);
    const scheduler = new Scheduler(options, down);
    if (options.watch === true) scheduler.#watchFiles();
    const dead = down.filter((entry) => entry.returned === null).map((entry) => entry.board);
    const what = [options.lostAfter === undefined ? undefined : `a board is lost after ${options.lostAfter} heartbeat intervals without one`, options.watch === true ? 'building.yaml, the policies and the apps are watched' : undefined].filter((part) => part !== undefined);
    scheduler.#log(`scheduler: ${what.join('; ')}${dead.length > 0 ? `; down already: ${dead.join(', ')}` : ''}`);
    return scheduler;
  }

  /** The reschedules this scheduler made, each as last written. */
  get records(): readonly RescheduleRecord[] {
    return this.#records;
  }

  /** Resolves once no reschedule is queued or being made (a rollout may still run). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    await this.#writes;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#liveness?.close();
    for (const unwatch of this.#unwatch) unwatch();
    this.#files?.close();
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    this.#queue = [];
    await this.idle();
  }

  // --- the queue ------------------------------------------------------------------------------

  #enqueue(job: Job): void {
    if (this.#closed) return;
    const queued = this.#queue.find((other) => other.kind === 'topology');
    if (job.kind === 'topology' && queued?.kind === 'topology') {
      for (const file of job.files) queued.files.add(file);
      return;
    }
    this.#queue.push(job);
    if (this.#running === undefined) this.#running = this.#drain();
  }

  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job !== undefined && !this.#closed; job = this.#queue.shift()) {
      try {
        await this.#run(job);
      } catch (error) {
        this.#log(`scheduler: ${describeJob(job)} failed: ${messageOf(error)}`);
      }
    }
    this.#running = undefined;
  }

  async #run(job: Job): Promise<void> {
    const { root } = this.#o;
    if (job.kind === 'lost') {
      const { lost } = job;
      this.#log(`scheduler: ${lost.board} is lost: ${lost.why}`);
      const written = await updateSchedule(root, (schedule) =>
        schedule.down.some((entry) => entry.board === lost.board && entry.returned === null)
          ? undefined
          : { down: [...schedule.down.filter((entry) => entry.board !== lost.board), { board: lost.board, since: lost.at, why: lost.why, returned: null }], message: `${lost.board} is down: ${lost.why}\n` },
      );
      if (!written.created) return this.#log(`scheduler: ${lost.board} was down already`);
      return this.#reschedule({ kind: 'lost', board: lost.board, why: lost.why, lastHeard: lost.lastHeard }, lost.at);
    }
    if (job.kind === 'returned') {
      const { back } = job;
      const plan = await latestPlan(root);
      const moved = plan?.schedule?.standIns.some((entry) => entry.board === back.board && entry.spare !== null) ?? false;
      const written = await updateSchedule(root, (schedule) => {
        const entry = schedule.down.find((candidate) => candidate.board === back.board);
        if (entry === undefined || entry.returned !== null) return undefined;
        // Nothing of it moved (no spare took it): it simply takes up its work again.
        const down = moved ? schedule.down.map((candidate) => (candidate === entry ? { ...entry, returned: back.at } : candidate)) : schedule.down.filter((candidate) => candidate !== entry);
        return { down, message: moved ? `${back.board} is back; what moved off it stays on the spare until it is moved back (osmose schedule restore ${back.board})\n` : `${back.board} is back: nothing had moved off it\n` };
      });
      if (!written.created) return;
      this.#log(`scheduler: ${back.board} is back${moved ? `; its fragments stay on the spare until it is moved back (osmose schedule restore ${back.board})` : ''}`);
      return this.#reschedule({ kind: 'returned', board: back.board }, back.at);
    }
    const files = [...job.files].sort();
    this.#log(`scheduler: ${files.join(', ')} changed: building again`);
    return this.#reschedule({ kind: 'topology', files }, job.at);
  }

  /** Builds, and rolls what changed out to the boards it changed: the common part of every reschedule. */
  async #reschedule(cause: RescheduleCause, detectedAt: string): Promise<void> {
    const { root, fleet } = this.#o;
    const id = `s-${Date.parse(detectedAt).toString(36)}-${++this.#sequence}-${cause.kind === 'topology' ? 'topology' : cause.board}`;
    const base: RescheduleRecord = {
      format: 1,
      id,
      cause,
      detectedAt,
      status: 'rescheduling',
      reason: null,
      build: null,
      buildMs: null,
      schedule: null,
      rollout: null,
      targets: [],
      restoredAt: null,
      restoreMs: null,
      detectionMs: cause.kind === 'lost' ? Math.max(0, Date.parse(detectedAt) - Date.parse(cause.lastHeard)) : null,
    };
    const started = performance.now();
    let report: BuildReport;
    try {
      report = await buildBuilding({ root });
    } catch (error) {
      const issues = isOsmoseError(error) ? (error.data['issues'] as ValidationIssue[] | undefined) : undefined;
      this.#log(`scheduler: the build was refused, nothing is rolled out: ${messageOf(error)}${issues === undefined ? '' : `\n${formatIssues(issues)}`}`);
      return this.#record({ ...base, status: 'refused', reason: messageOf(error), buildMs: performance.now() - started });
    }
    const buildMs = performance.now() - started;
    if (report.upToDate && cause.kind === 'topology') return this.#log('scheduler: nothing changed that a board runs');
    const dead = new Set((report.schedule?.down ?? []).filter((entry) => entry.returned === null).map((entry) => entry.board));
    const known = new Set(report.boards.map((board) => board.board));
    const carried = this.#unfinished();
    const targets = [...new Set([...report.boards.filter((board) => board.changed).map((board) => board.board), ...carried])].filter((board) => known.has(board) && !dead.has(board));
    const built: RescheduleRecord = { ...base, build: report.ledger.commit, buildMs, schedule: report.schedule };
    for (const move of report.schedule?.moved ?? []) this.#log(`scheduler: ${move.instance} moves from ${move.from} to ${move.to}`);
    for (const fragment of report.schedule?.unplaced ?? []) this.#log(`scheduler: ${fragment.instance} runs nowhere: ${fragment.reason}`);
    if (targets.length === 0) {
      this.#log(`scheduler: built ${report.ledger.commit.slice(0, 12)} in ${seconds(buildMs)}; no board's image changed, nothing to roll out`);
      return this.#record({ ...built, status: 'unchanged' });
    }
    await this.#abortLive(id);
    const state = await fleet.startRollout({ waves: [{ percent: 100 }], maxFailures: { percent: 100 }, windows: [], healthTimeoutMs: this.#o.healthTimeoutMs ?? defaults.healthTimeoutMs, boards: targets });
    const record: RescheduleRecord = { ...built, status: 'rolling-out', rollout: state.spec.id, targets };
    this.#active = { record, rollout: state.spec.id };
    this.#log(`scheduler: built ${report.ledger.commit.slice(0, 12)} in ${seconds(buildMs)}; rolling out to ${targets.join(', ')} (rollout ${state.spec.id})`);
    this.#record(record);
    // The rollout may have ended already (every target turned out to run its image).
    const now = fleet.rollout;
    if (now !== undefined) this.#rolloutChanged(now);
  }

  /** The unfinished boards of the scheduler's own rollout in progress, which the next one takes on. */
  #unfinished(): string[] {
    const active = this.#active;
    const state = this.#o.fleet.rollout;
    if (active === undefined || state === undefined || state.spec.id !== active.rollout || isFinal(state)) return [];
    return state.boards.filter((board) => board.state !== 'committed' && board.state !== 'unchanged').map((board) => board.board);
  }

  /** Aborts the rollout in progress, if any: a reschedule does not wait for it. */
  async #abortLive(by: string): Promise<void> {
    const { fleet } = this.#o;
    const state = fleet.rollout;
    if (state === undefined || isFinal(state)) return;
    const ours = this.#active?.rollout === state.spec.id;
    this.#log(`scheduler: aborting rollout ${state.spec.id}${ours ? '' : " (the operator's)"}: reschedule ${by} takes the gateway`);
    fleet.control({ kind: 'abort', at: new Date().toISOString(), reason: `superseded by reschedule ${by}` });
    await fleet.flush();
  }

  #rolloutChanged(state: RolloutState): void {
    const active = this.#active;
    if (active === undefined || state.spec.id !== active.rollout) return;
    if (state.status === 'completed') {
      const restoredAt = state.updatedAt;
      const restoreMs = Math.max(0, Date.parse(restoredAt) - Date.parse(active.record.detectedAt));
      this.#finish({ ...active.record, status: 'restored', restoredAt, restoreMs });
      return;
    }
    if (!isFinal(state)) return;
    const failures = state.failures.map((failure) => `${failure.board}: ${failure.reason}`);
    this.#finish({ ...active.record, status: 'failed', reason: state.reason ?? (failures.length > 0 ? failures.join('; ') : `its rollout ended ${state.status}`) });
  }

  #finish(record: RescheduleRecord): void {
    this.#active = undefined;
    const cause = record.cause;
    if (record.status === 'restored') {
      const what = cause.kind === 'topology' ? `${cause.files.join(', ')} changed` : cause.kind === 'lost' ? `${cause.board} was found lost` : `${cause.board} came back`;
      const detection = record.detectionMs === null ? '' : ` (found lost ${seconds(record.detectionMs)} after its last heartbeat)`;
      this.#log(`scheduler: service restored ${seconds(record.restoreMs ?? 0)} after ${what}${detection}: ${record.targets.join(', ')} healthy and committed`);
    } else {
      this.#log(`scheduler: reschedule ${record.id} failed: ${record.reason ?? ''}`);
    }
    this.#record(record);
  }

  /** Keeps the record and writes it beside the schedule, one write after another. */
  #record(record: RescheduleRecord): void {
    const known = this.#records.findIndex((other) => other.id === record.id);
    if (known >= 0) this.#records[known] = record;
    else this.#records.push(record);
    this.#o.onRecord?.(record);
    const bytes = new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`);
    const write = (): Promise<unknown> => updateSchedule(this.#o.root, () => ({ files: new Map([[scheduleLayout.reschedule(record.id), bytes]]), message: describeRecord(record) }));
    this.#writes = this.#writes.then(write).then(
      () => undefined,
      (error: unknown) => this.#log(`scheduler: reschedule ${record.id} could not be recorded: ${messageOf(error)}`),
    );
  }

  // --- the building's files -------------------------------------------------------------------

  #watchFiles(): void {
    const { root } = this.#o;
    this.#files = watchFiles(root, { recursive: true }, (_event, name) => {
      if (name === null || this.#closed) return;
      const path = name.split('\\').join('/');
      if (!relevant(path, this.#o.fleet.build.plan)) return;
      pending.add(path);
      if (this.#settle !== undefined) clearTimeout(this.#settle);
      this.#settle = setTimeout(() => {
        this.#settle = undefined;
        this.#enqueue({ kind: 'topology', at: new Date().toISOString(), files: new Set(pending) });
        pending.clear();
      }, this.#o.settleMs ?? defaults.settleMs);
    });
    const pending = new Set<string>();
    this.#files.on('error', (error) => this.#log(`scheduler: watching the building's files failed: ${error.message}`));
  }
}

/** The files a build depends on for what boards run: building.yaml, the policies, the apps' sources. */
function relevant(path: string, plan: BuildPlan): boolean {
  if (path.startsWith('.') || path.startsWith('node_modules/') || path.split('/').some((part) => part.startsWith('.'))) return false;
  if (path === 'building.yaml' || path === plan.policies.file || (!path.includes('/') && /\.ya?ml$/.test(path))) return true;
  return path.startsWith('apps/') || plan.apps.some((app) => path.startsWith(`${app.source.replace(/\/+$/, '')}/`));
}

async function latestPlan(root: string): Promise<BuildPlan | undefined> {
  const head = await ledgerHead(root);
  return head === undefined ? undefined : readJson<BuildPlan>(root, head, ledgerLayout.plan);
}

function isFinal(state: RolloutState): boolean {
  return (finalRolloutStatuses as readonly string[]).includes(state.status);
}

function describeJob(job: Job): string {
  return job.kind === 'topology' ? `the change to ${[...job.files].join(', ')}` : job.kind === 'lost' ? `losing ${job.lost.board}` : `${job.back.board} coming back`;
}

function describeRecord(record: RescheduleRecord): string {
  const cause = record.cause;
  const what = cause.kind === 'topology' ? `${cause.files.join(', ')} changed` : cause.kind === 'lost' ? `${cause.board} lost` : `${cause.board} back`;
  const outcome = record.status === 'restored' ? `restored in ${seconds(record.restoreMs ?? 0)}` : record.status;
  return `reschedule ${record.id}: ${what}: ${outcome}\n\n${record.targets.length > 0 ? `Targets: ${record.targets.join(', ')}\n` : ''}${record.reason === null ? '' : `Reason: ${record.reason}\n`}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
