import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { readLedgerTree } from '../builder/ledger/readLedgerTree.js';
import { runCli } from '../cli/runCli.js';
import { ledgerBoards, writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { bundleShim } from '../image/bundleShim.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import type { RolloutState } from '../ota/rollout/RolloutState.js';
import type { WaveSize } from '../ota/rollout/RolloutSpec.js';
import { machineCpu, processCpu } from './rollout/cpuTime.js';
import { inspectBoard } from './rollout/inspectBoard.js';
import { processRss } from './rollout/processRss.js';
import { seededRandom } from './rollout/seededRandom.js';
import type { Fault, FaultStep } from './rollout/ShimBoard.js';
import { ShimBoardsProcess } from './rollout/ShimBoardsProcess.js';
import { SimBoardsProcess } from './rollout/SimBoardsProcess.js';

const grid = { floors: 10, rooms: 25, boardsPerRoom: 4 };
/** Processes the unfaulted boards share (the machine has two cores; the gateway needs some). */
const simProcesses = 4;
const faultShare = 0.1;
const faultSteps: readonly FaultStep[] = ['downloading', 'downloaded', 'installed'];
const waves: readonly WaveSize[] = [{ count: 1 }, { percent: 5 }, { percent: 25 }, { percent: 100 }];
/** Offer → healthy, before a board counts as failed: a killed board must come back and start again within it. */
const healthTimeoutMs = 120_000;
/** Heartbeats: every second on trial (the health gate counts 3), every 5 s otherwise. */
const heartbeat = { trialMs: 1_000, idleMs: 5_000 };
const convergeWithinMs = 300_000;
const baselineBoards = 20;
const seed = Number(process.env['OSMOSE_BENCH_SEED'] ?? 20_261_127);

export interface RolloutBench {
  readonly boards: number;
  readonly faulted: number;
  /** From the rollout's start until every board runs the new image, confirmed; undefined when they never all did. */
  readonly wallMs: number | undefined;
  readonly converged: number;
  readonly bricked: number;
  readonly bytesOnTheWire: number;
  readonly heartbeatsPerSecond: number;
  readonly missedHeartbeats: number;
  /** The one-board-at-a-time rollout, a board's time measured on a sample and scaled to every board. */
  readonly baselineMs: number;
}

interface Fleet {
  readonly gateway: Gateway;
  readonly sims: readonly SimBoardsProcess[];
  readonly shims: ShimBoardsProcess;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const count = (n: number): string => n.toLocaleString('en');
const verdict = (met: boolean): string => (met ? 'met' : 'missed');

/**
 * A rolling upgrade of a 1,000-board building on this machine, under faults: the grid building
 * (10 floors × 25 rooms × 4 boards) is built, every board booted under its update agent against
 * the building's gateway (in this process), an app is changed and built again, and the build is
 * rolled out in waves (1, 5%, 25%, 100%), each gated on the health of the one before, while 10% of
 * the boards, picked at random, are killed mid-update. The faulted boards are the realest kind
 * of board the machine can run: each its own process of the shim bundle (what a board's image
 * runs), SIGKILLed after it has reported a random step of its update (downloading, downloaded,
 * installed) plus a random delay, and started again on its directory as it was left after a
 * random outage. The other 900 share four processes of simulated boards (SimBuilding), as a
 * process of 1,000 shims would not fit the machine.
 *
 * The baseline, measured in the same run: the same machinery rolling a build out one board at a
 * time (one-board waves, no faults) on a sample of boards, its time a board scaled to all of them.
 */
export async function rolloutBench(): Promise<RolloutBench> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-rollout-'));
  const root = join(parent, 'grid');
  const boardsDir = join(parent, 'boards');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const setupStart = performance.now();
    const quiet = { cwd: parent, stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), env: { OSMOSE_ROOT_PASSPHRASE: 'bench' }, interactive: false };
    const size = ['--floors', String(grid.floors), '--rooms', String(grid.rooms), '--boards-per-room', String(grid.boardsPerRoom)];
    progress('making and building the grid building');
    if ((await runCli(['init', root, '--template', 'grid', ...size], quiet)) !== 0) throw new Error('could not make the benchmark building');
    const epoch = Math.floor(Date.now() / 1000) - 120;
    await buildBuilding({ root, timestamp: epoch });

    const gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: heartbeat.trialMs, idleHeartbeatMs: heartbeat.idleMs });
    closers.push(() => gateway.close());
    const address = gateway.address();

    // Every board's directory and credentials, as the installer's flashing would leave them.
    progress('writing the boards\' directories and credentials');
    const tree = await readLedgerTree(root);
    if (tree === undefined) throw new Error('the benchmark building has no build');
    const boards = ledgerBoards(tree).map((board) => ({ board, dir: join(boardsDir, board) }));
    await mkdir(boardsDir, { recursive: true });
    for (const { board, dir } of boards) await writeBoardDirectory(root, board, dir, tree);
    await writeBoardCredentialsMany(root, boards, epoch);

    // The faults: which boards, after which step, how long after it, how long off.
    const random = seededRandom(seed);
    const order = boards.map((board) => ({ board, key: random() })).sort((a, b) => a.key - b.key);
    const faulted = new Set(order.slice(0, Math.round(boards.length * faultShare)).map(({ board }) => board.board));
    const between = (low: number, high: number): number => Math.round(low + random() * (high - low));
    const bundle = (await bundleShim(join(parent, 'boot.mjs'))).file;
    const faults = boards
      .filter(({ board }) => faulted.has(board))
      .map(({ board, dir }) => {
        const after = faultSteps[Math.floor(random() * faultSteps.length)] ?? 'downloading';
        // A download or a switch takes tens of milliseconds here; a trial, the gate's heartbeats.
        const fault: Fault = { after, delayMs: after === 'installed' ? between(0, 2_500) : between(0, 40), outageMs: between(200, 1_000) };
        return { board, dir, fault };
      });
    progress(`starting ${faults.length} shim processes and ${simProcesses} processes of simulated boards`);
    const shims = ShimBoardsProcess.start({ bundle, gateway: address, boards: faults });
    closers.push(() => shims.stop());
    const rest = boards.filter(({ board }) => !faulted.has(board)).map(({ board }) => board);
    const shares = Array.from({ length: simProcesses }, (_, i) => rest.filter((_board, j) => j % simProcesses === i));
    const sims: SimBoardsProcess[] = [];
    closers.push(() => Promise.all(sims.map((sim) => sim.close())));
    sims.push(...(await Promise.all(shares.map((share) => SimBoardsProcess.start({ root, boardsDir, gateway: address, boards: share })))));
    const enrolled = await until(() => (gateway.fleet.boards().every((board) => board.online && board.heartbeats > 0) ? true : undefined), 120_000);
    if (enrolled === undefined) throw new Error(`only ${gateway.fleet.boards().filter((board) => board.online).length} of ${boards.length} boards enrolled`);
    const fleet: Fleet = { gateway, sims, shims };
    const setupMs = performance.now() - setupStart;

    // The rollout under faults.
    progress(`every board enrolled; building the changed app`);
    await editApp(root, 'let lit = false;', 'let lit = false;\nlet presses: i32 = 0;');
    await editApp(root, 'if (status == Status.Ok) lit = !lit;', 'if (status == Status.Ok) { lit = !lit; presses++; }');
    await buildBuilding({ root, timestamp: epoch + 60 });
    const memory = sampleMemory(fleet);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const before = { ...gateway.counters, missed: missedHeartbeats(gateway), cpu: await cpuNow(fleet) };
    progress('rolling it out');
    const start = performance.now();
    await gateway.fleet.startRollout({ waves, maxFailures: { percent: 10 }, windows: [], healthTimeoutMs });
    const targets = new Map(gateway.fleet.build.rolloutTargets().map((target) => [target.board, target.image]));
    let completedAt: number | undefined;
    const stopWatching = gateway.fleet.watch((state) => {
      if (completedAt === undefined && isFinal(state)) completedAt = performance.now();
    });
    const ticker = setInterval(() => {
      const now = gateway.fleet.rollout;
      const states = new Map<string, number>();
      for (const board of now?.boards ?? []) states.set(board.state, (states.get(board.state) ?? 0) + 1);
      progress(`${seconds(performance.now() - start)}: wave ${now?.wave ?? '?'}, ${[...states].map(([name, n]) => `${name} ${n}`).join(', ')}; ${shims.kills.length} killed; ${converged(gateway, targets)} converged`);
    }, 5_000);
    // Until every board has converged; or, once the rollout has ended without them all, until
    // the boards it left behind have had a while to report (they will not converge any more).
    let ended: number | undefined;
    const convergedAt = await until(() => {
      if (converged(gateway, targets) === targets.size) return performance.now();
      if (completedAt === undefined) return undefined;
      ended ??= performance.now();
      return performance.now() - ended > 15_000 ? Number.NaN : undefined;
    }, convergeWithinMs);
    clearInterval(ticker);
    const end = performance.now();
    stopWatching();
    delay.disable();
    const peak = await memory.stop();
    const after = { ...gateway.counters, missed: missedHeartbeats(gateway), cpu: await cpuNow(fleet) };
    await gateway.fleet.flush();
    const state = gateway.fleet.rollout;
    const journal = journalCommits(root);
    const online = gateway.fleet.boards().filter((board) => board.online).length;
    const convergedBoards = converged(gateway, targets);
    shims.disarm();
    const shimStatus = await shims.status();
    const kills = shims.kills;

    // Every board's directory as the run left it: what it would boot, and whether that is the new image, committed.
    const inspections = boards.map(({ board, dir }) => ({ board, ...inspectBoard(dir) }));
    const panics = inspections.filter((inspection) => inspection.row === 'panic');
    const onDisk = inspections.filter((inspection) => inspection.image === targets.get(inspection.board) && inspection.committed).length;
    const neverBack = faults.map(({ board }) => board).filter((board) => shimStatus.unexpected[board] !== undefined || (kills.some((kill) => kill.board === board) && (shimStatus.starts[board] ?? 0) < 2));
    const bricked = new Set([...panics.map(({ board }) => board), ...neverBack]);

    const wallMs = convergedAt === undefined || Number.isNaN(convergedAt) ? undefined : convergedAt - start;
    const measuredMs = end - start;
    const bytes = after.bytesServed - before.bytesServed;
    const heartbeats = after.heartbeats - before.heartbeats;
    const missed = after.missed - before.missed;
    const byStep = (step: string): number => kills.filter((kill) => kill.lastReported === step).length;
    const plannedAfter = (step: FaultStep): number => faults.filter(({ fault }) => fault.after === step).length;
    const sims0 = sims[0]?.ready;
    console.log(`rollout: ${count(boards.length)} simulated boards (grid ${grid.floors}×${grid.rooms}×${grid.boardsPerRoom}), waves 1,5%,25%,100% each gated on 3 acknowledged heartbeats (every ${seconds(heartbeat.trialMs)} on trial, ${seconds(heartbeat.idleMs)} otherwise), while ${faults.length} boards (${faultShare * 100}%, seed ${seed}) are killed mid-update`);
    console.log(`  boards        ${count(rest.length)} in ${simProcesses} processes of simulated boards under their agents (${sims0 === undefined ? '' : `${sims0.boards} each, up in ${seconds(sims0.ms)}`}), ${faults.length} each a shim process of their own (node boot.mjs DIR --gateway); the gateway in this process; set up in ${seconds(setupMs)}`);
    console.log(`  faults        ${kills.length} SIGKILLs of a board's own process, by the step it had last reported: downloading ${byStep('downloading')} (mid-download), downloaded ${byStep('downloaded')} (verifying, switching slots), installed ${byStep('installed')} (restarted on trial, before its gate)${byStep('healthy') > 0 ? `, healthy ${byStep('healthy')} (awaiting the wave's commit)` : ''}`);
    console.log(`                planned after downloading ${plannedAfter('downloading')}, downloaded ${plannedAfter('downloaded')}, installed ${plannedAfter('installed')} (+0–40 ms, +0–40 ms, +0–2.5 s); each back after 0.2–1 s off, on its directory as the kill left it; ${faults.length - kills.length} not killed (disarmed at the end)`);
    console.log(`  wall time     ${wallMs === undefined ? 'not converged' : seconds(wallMs)}  start → every board running the new image, confirmed (target ≤ 60 s: ${verdict(wallMs !== undefined && wallMs <= 60_000)}); the rollout's status ${state?.status ?? '?'}${completedAt === undefined ? '' : ` at ${seconds(completedAt - start)}`}, ${state?.failures.length ?? 0} failures`);
    console.log(`  converged     ${count(convergedBoards)} of ${count(targets.size)} by the gateway (${count(onDisk)} by their directories: new image, committed) (target 100%: ${verdict(convergedBoards === targets.size && onDisk === targets.size)})`);
    console.log(`  bricked       ${bricked.size} (target 0: ${verdict(bricked.size === 0)}): ${panics.length} directories whose slot choice panics, ${neverBack.length} boards that never came back; ${online} of ${count(boards.length)} online at the end`);
    console.log(`  on the wire   ${mb(bytes)} served to boards (${(bytes / Math.max(1, convergedBoards) / 1e3).toFixed(0)} KB a board, most of it targets.json listing all ${count(targets.size * 2 + 1)} targets)`);
    console.log(`  heartbeats    ${count(Math.round(heartbeats / (measuredMs / 1000)))}/s taken by the gateway during the rollout (${count(heartbeats)} in ${seconds(measuredMs)}), ${count(missed)} lost (sequence gaps)`);
    console.log(`  gateway       event loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms; journal ${count(journal)} commits on refs/osmose/rollouts`);
    const cpu = (of: keyof CpuSeconds): number => after.cpu[of] - before.cpu[of];
    const ours = cpu('gateway') + cpu('sims') + cpu('shims');
    console.log(`  CPU           ${cpu('busy').toFixed(0)} CPU-s busy of the machine's ${availableParallelism()} cores × ${seconds(measuredMs)} (${cpu('steal').toFixed(0)} more stolen by the hypervisor): the gateway ${cpu('gateway').toFixed(0)}, the board processes ${cpu('sims').toFixed(0)}, the shims ${cpu('shims').toFixed(0)} (${((cpu('sims') + cpu('shims')) / boards.length * 1000).toFixed(0)} ms a board), other processes on the machine ${Math.max(0, cpu('busy') - ours).toFixed(0)}`);
    console.log(`  memory (RSS)  at most ${mb(peak.total)} in all: gateway ${mb(peak.gateway)}, ${simProcesses} board processes ${mb(peak.sims)} (${(peak.sims / rest.length / 1e6).toFixed(2)} MB a board), ${faults.length} shims ${mb(peak.shims)} (${mb(peak.shims / Math.max(1, faults.length))} each)`);
    if (convergedBoards < targets.size) {
      const behind = state?.boards.filter((board) => board.state !== 'committed').slice(0, 10) ?? [];
      console.log(`  not converged ${behind.map((board) => `${board.board} ${board.state}${board.reason === null ? '' : ` (${board.reason})`}`).join('; ')}`);
    }
    for (const board of neverBack) console.log(`  never back    ${board}: ${shimStatus.unexpected[board]?.join('; ') ?? 'not started again'}`);
    // The baseline: one board at a time, with the same gate, on a sample. Build 3 changes only
    // the sample's boards (a button's debounce), so the rollout of it is one-board waves and
    // nothing else; the shims are disarmed, so the baseline runs without faults.
    // Boards the rollout left behind take the baseline's build too, one at a time like the rest.
    const oneAtATime = baselineBoards + targets.size - convergedBoards;
    progress(`the baseline: ${oneAtATime} boards one at a time`);
    await editBuilding(root, baselineBoards);
    await buildBuilding({ root, timestamp: epoch + 90 });
    const baselineStart = performance.now();
    const oneByOne: WaveSize[] = [...Array.from({ length: oneAtATime - 1 }, (_, i) => ({ count: i + 1 })), { percent: 100 }];
    await gateway.fleet.startRollout({ waves: oneByOne, maxFailures: { count: 0 }, windows: [], healthTimeoutMs });
    const sample = gateway.fleet.rollout?.boards.filter((board) => board.state !== 'unchanged').length ?? 0;
    const sampleDone = await until(() => (gateway.fleet.rollout !== undefined && isFinal(gateway.fleet.rollout) ? performance.now() : undefined), convergeWithinMs);
    const sampleCommitted = gateway.fleet.rollout?.boards.filter((board) => board.state === 'committed').length ?? 0;
    if (sampleDone === undefined || sample !== oneAtATime || sampleCommitted !== oneAtATime) {
      throw new Error(`the one-board-at-a-time baseline did not complete: ${sampleCommitted} of ${sample} boards committed (${oneAtATime} expected), ${gateway.fleet.rollout?.status ?? 'no rollout'}`);
    }
    const perBoard = (sampleDone - baselineStart) / oneAtATime;
    const baselineMs = perBoard * boards.length;
    console.log(`  baseline      the same rollout one board at a time (a build changing ${oneAtATime} boards, rolled out in ${oneAtATime} one-board waves, no faults): ${seconds(perBoard)} a board, × ${count(boards.length)} = ${seconds(baselineMs)} (extrapolated)`);
    const endedMs = completedAt === undefined ? undefined : completedAt - start;
    if (wallMs !== undefined) console.log(`  ratio         ${(baselineMs / wallMs).toFixed(0)}× faster than one board at a time`);
    else if (endedMs !== undefined) console.log(`  ratio         ${(baselineMs / endedMs).toFixed(0)}× faster than one board at a time, to the rollout's end (not every board converged)`);
    else console.log('  ratio         none: the rollout did not end');
    return { boards: boards.length, faulted: faults.length, wallMs, converged: convergedBoards, bricked: bricked.size, bytesOnTheWire: bytes, heartbeatsPerSecond: heartbeats / (measuredMs / 1000), missedHeartbeats: missed, baselineMs };
  } finally {
    for (const close of closers.reverse()) await close().catch((error: unknown) => process.stderr.write(`bench/rollout: ${String(error)}\n`));
    await rm(parent, { recursive: true, force: true });
  }
}

/** Bench progress, on stderr: the figures alone go to stdout. */
function progress(what: string): void {
  process.stderr.write(`bench/rollout: ${what}…\n`);
}

/** The first `boards` boards' buttons get another debounce: a change to those boards' configurations only. */
async function editBuilding(root: string, boards: number): Promise<void> {
  const file = join(root, 'building.yaml');
  let changed = 0;
  const text = (await readFile(file, 'utf8')).replace(/debounce: 10ms/g, (match) => (changed++ < boards ? 'debounce: 12ms' : match));
  if (changed < boards) throw new Error(`building.yaml has ${changed} buttons, not the ${boards} the baseline changes`);
  await writeFile(file, text);
}

async function editApp(root: string, from: string, to: string): Promise<void> {
  const file = join(root, 'apps', 'lights', 'assembly', 'index.ts');
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`the benchmark's edit of ${file} changed nothing`);
  await writeFile(file, next);
}

/** Polls `probe` until it answers; undefined after `withinMs`. */
async function until<T>(probe: () => T | undefined, withinMs: number): Promise<T | undefined> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Boards the gateway sees online, on their target image, confirmed (committed). */
function converged(gateway: Gateway, targets: ReadonlyMap<string, string>): number {
  return gateway.fleet.boards().filter((board) => board.online && board.confirmed && board.image === targets.get(board.board)).length;
}

function missedHeartbeats(gateway: Gateway): number {
  return gateway.fleet.boards().reduce((sum, board) => sum + board.missed, 0);
}

function isFinal(state: RolloutState): boolean {
  return ['completed', 'completed-with-failures', 'halted', 'aborted'].includes(state.status);
}

function journalCommits(root: string): number {
  return Number(execFileSync('git', ['rev-list', '--count', 'refs/osmose/rollouts'], { cwd: root, encoding: 'utf8' }).trim());
}

interface CpuSeconds {
  readonly gateway: number;
  readonly sims: number;
  readonly shims: number;
  readonly busy: number;
  readonly steal: number;
}

/** CPU seconds used so far: by this process (the gateway's), the boards' processes, the shims (killed ones too), and the whole machine. */
async function cpuNow(fleet: Fleet): Promise<CpuSeconds> {
  const sims = await Promise.all(fleet.sims.map((sim) => sim.cpu()));
  const machine = await machineCpu();
  return {
    gateway: (await processCpu(process.pid))?.own ?? 0,
    sims: sims.reduce<number>((sum, cpu) => sum + (cpu ?? 0), 0),
    shims: (await fleet.shims.status()).cpu,
    busy: machine.busy,
    steal: machine.steal,
  };
}

interface PeakMemory {
  readonly total: number;
  readonly gateway: number;
  readonly sims: number;
  readonly shims: number;
}

/** Samples every process's RSS each second; stop() answers the peaks (of each kind, and of their sum). */
function sampleMemory(fleet: Fleet): { stop(): Promise<PeakMemory> } {
  const peak = { total: 0, gateway: 0, sims: 0, shims: 0 };
  const sum = async (sizes: readonly Promise<number | undefined>[]): Promise<number> => (await Promise.all(sizes)).reduce<number>((total, size) => total + (size ?? 0), 0);
  const sample = async (): Promise<void> => {
    const gateway = (await processRss(process.pid)) ?? 0;
    const sims = await sum(fleet.sims.map((sim) => sim.rss()));
    const shims = (await fleet.shims.status()).rss;
    peak.gateway = Math.max(peak.gateway, gateway);
    peak.sims = Math.max(peak.sims, sims);
    peak.shims = Math.max(peak.shims, shims);
    peak.total = Math.max(peak.total, gateway + sims + shims);
  };
  let running = sample();
  const timer = setInterval(() => {
    running = running.then(sample);
  }, 1_000);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
      return { ...peak };
    },
  };
}
