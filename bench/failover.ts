import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { readLedgerTree } from '../builder/ledger/readLedgerTree.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { bundleShim } from '../image/bundleShim.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import type { RescheduleRecord } from '../ota/scheduler/RescheduleRecord.js';
import { Scheduler } from '../ota/scheduler/Scheduler.js';
import { LampProcess } from './failover/LampProcess.js';
import { SimBoardsProcess } from './rollout/SimBoardsProcess.js';
import { initCoworking } from './initCoworking.js';

/** Heartbeat paces to measure, each with its own building and trials: the gateway's default, and a fast one. */
const paces = [1_000, 200] as const;
const lostAfter = 3;
const trials = 5;

/** One board's death and what followed, each time from the SIGKILL, in milliseconds. */
export interface FailoverTrial {
  readonly board: string;
  /** The scheduler found it lost. */
  readonly detectedMs: number;
  /** The spare reported the new image booted and its unikernel running: the fragment runs elsewhere. */
  readonly runningMs: number;
  /** The scheduler recorded service restored: every board it rolled out to healthy and committed. */
  readonly restoredMs: number;
  /** The in-process build, within the rebuild+rollout share. */
  readonly buildMs: number;
}

/** The trials at each heartbeat pace, as the bench printed them. */
export interface FailoverBench {
  readonly lostAfter: number;
  readonly paces: readonly { readonly heartbeatMs: number; readonly trials: readonly FailoverTrial[] }[];
}

/**
 * Failover: a board's death to its fragment running elsewhere. A building of rooms, each with a
 * lamp board that runs the lights (the door's button reaching them over a control circuit), a
 * door board and a spare with the lamp board's aliases, under its gateway and scheduler
 * (`osmose gateway --lost-after 3`). Each lamp board is a shim process of its own; the doors and
 * spares share a process of simulated boards. In each trial one room's lamp board is SIGKILLed
 * and the bench waits for the spare to run the lights and for the scheduler to record service
 * restored. The time splits into detection (the heartbeat intervals the gateway waits before
 * calling a board lost: interval × N after the connection dropped) and the rebuild and rollout
 * (the build in the gateway's process, then download, install, boot and the health gate of the
 * spare and of the door, whose circuit now ends at the spare). Run at the gateway's default
 * heartbeat of 1 s and at 200 ms.
 */
export async function failoverBench(): Promise<FailoverBench> {
  const results: { heartbeatMs: number; trials: FailoverTrial[] }[] = [];
  for (const heartbeatMs of paces) results.push({ heartbeatMs, trials: await atPace(heartbeatMs) });
  const ms = (value: number): string => `${(value / 1000).toFixed(2)} s`;
  const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  };
  console.log(`failover: a lamp board's process SIGKILLed → the lights it ran running on its room's spare; ${trials} trials a pace, each in another room; osmose gateway --lost-after ${lostAfter}; boards' health gate 3 heartbeats`);
  for (const { heartbeatMs, trials: done } of results) {
    const pick = (key: keyof Omit<FailoverTrial, 'board'>): readonly number[] => done.map((trial) => trial[key]);
    const share = (values: readonly number[]): string => `median ${ms(median(values))}, max ${ms(Math.max(...values))}`;
    const rollout = done.map((trial) => trial.runningMs - trial.detectedMs);
    console.log(`  heartbeat ${ms(heartbeatMs)} (lost after ${lostAfter} × ${ms(heartbeatMs)} = ${ms(lostAfter * heartbeatMs)} of silence)`);
    console.log(`    death → fragment running elsewhere   ${share(pick('runningMs'))}`);
    console.log(`    death → service restored (committed) ${share(pick('restoredMs'))}`);
    console.log(`    detection share                      ${share(pick('detectedMs'))}  (${((median(pick('detectedMs')) / median(pick('runningMs'))) * 100).toFixed(0)}% of the median)`);
    console.log(`    rebuild + rollout share              ${share(rollout)}  (in-process build ${share(pick('buildMs'))})`);
  }
  return { lostAfter, paces: results };
}

/** One building at one heartbeat pace: its trials, one room each. */
async function atPace(heartbeatMs: number): Promise<FailoverTrial[]> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-failover-'));
  const root = join(parent, 'b');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    progress(`${heartbeatMs} ms heartbeats: making and building a building of ${trials} rooms`);
    await initCoworking(parent, root);
    await writeFile(join(root, 'building.yaml'), buildingYaml(trials));
    const epoch = Math.floor(Date.now() / 1000) - 120;
    await buildBuilding({ root, timestamp: epoch });

    const gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs });
    closers.push(() => gateway.close());
    const records: RescheduleRecord[] = [];
    const scheduler = await Scheduler.start({ root, fleet: gateway.fleet, lostAfter, heartbeatMs, onRecord: (record) => records.push(record) });
    closers.push(() => scheduler.close());
    const address = gateway.address();

    const tree = await readLedgerTree(root);
    if (tree === undefined) throw new Error('the benchmark building has no build');
    const boardsDir = join(parent, 'boards');
    await mkdir(boardsDir, { recursive: true });
    const rooms = Array.from({ length: trials }, (_, i) => `r${i + 1}`);
    const boards = rooms.flatMap((room) => ['lamp', 'door', 'spare'].map((role) => ({ board: `${room}-${role}`, dir: join(boardsDir, `${room}-${role}`) })));
    for (const { board, dir } of boards) await writeBoardDirectory(root, board, dir, tree);
    await writeBoardCredentialsMany(root, boards, epoch);
    const bundle = (await bundleShim(join(parent, 'boot.mjs'))).file;
    const lamps = new Map(rooms.map((room) => [room, LampProcess.start(bundle, `${room}-lamp`, join(boardsDir, `${room}-lamp`), address)]));
    closers.push(() => Promise.all([...lamps.values()].map((lamp) => lamp.kill())));
    const sims = await SimBoardsProcess.start({ root, boardsDir, gateway: address, boards: boards.filter(({ board }) => !board.endsWith('-lamp')).map(({ board }) => board) });
    closers.push(() => sims.close());
    const everyone = await until(() => (gateway.fleet.boards().every((board) => board.online && board.heartbeats > 0) ? true : undefined), 120_000);
    if (everyone === undefined) throw new Error(`only ${gateway.fleet.boards().filter((board) => board.online).map((board) => board.board).join(', ')} enrolled; a lamp said: ${[...lamps.values()].flatMap((lamp) => lamp.tail).join(' | ')}`);

    const done: FailoverTrial[] = [];
    for (const room of rooms) {
      const lamp = lamps.get(room) as LampProcess;
      const spare = `${room}-spare`;
      const before = gateway.fleet.boards().find((board) => board.board === spare)?.image;
      let running: number | undefined;
      const unwatch = gateway.fleet.watchBoards((link) => {
        if (running === undefined && link.board === spare && link.record.running && link.record.image !== before) running = Date.now();
      });
      progress(`${heartbeatMs} ms heartbeats: killing ${lamp.board}`);
      const killedAt = Date.now();
      await lamp.kill();
      const record = await until(() => records.find((r) => r.cause.kind === 'lost' && r.cause.board === lamp.board && (r.status === 'restored' || r.status === 'failed' || r.status === 'refused')), 180_000);
      unwatch();
      if (record === undefined || record.status !== 'restored' || running === undefined || record.restoredAt === null) {
        throw new Error(`${lamp.board}: service was not restored (${record?.status ?? 'no reschedule'}${record?.reason == null ? '' : `: ${record.reason}`})`);
      }
      done.push({
        board: lamp.board,
        detectedMs: Date.parse(record.detectedAt) - killedAt,
        runningMs: running - killedAt,
        restoredMs: Date.parse(record.restoredAt) - killedAt,
        buildMs: record.buildMs ?? 0,
      });
      await scheduler.idle();
    }
    return done;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  }
}

/** Rooms of three boards: the lamp board runs the lights (first in its room), the door has the button, the spare the lamp board's aliases. */
function buildingYaml(rooms: number): string {
  const room = (n: number): string => `
  - id: r${n}
    kind: room
    boards:
      - id: r${n}-lamp
        board: sim
        devices:
          lamp: {driver: gpio-out, pin: GPIO27}
      - id: r${n}-door
        board: sim
        devices:
          button: {driver: gpio-in, pin: GPIO17, pull: up, debounce: 10ms}
      - id: r${n}-spare
        board: sim
        spare: true
        devices:
          lamp: {driver: gpio-out, pin: GPIO27}`;
  return `osmose: 1
building: {id: failover-bench, name: Failover bench}
spaces:${Array.from({ length: rooms }, (_, i) => room(i + 1)).join('')}
apps:
  - name: lights
    source: apps/lights
    place: {kind: room}
    needs: [button, lamp]
policies:
  default: deny
  rules:
    - app: lights
      allow: [gpio, presence, channel]
`;
}

async function until<T>(probe: () => T | undefined, withinMs: number): Promise<T | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function progress(what: string): void {
  process.stderr.write(`bench/failover: ${what}…\n`);
}
