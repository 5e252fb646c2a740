import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { rawX25519PublicKey } from '../drivers/index.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import type { JournalEntry } from '../image/sim/SimJournal.js';
import type { KernelPresenceChange } from '../kernel-js/host/KernelPresence.js';
import type { PresentPerson } from '../kernel-js/net/gatewayTypes.js';
import { isOsmoseError, OsmoseError } from '../lib/OsmoseError.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import { WaitingJournal } from './presence/WaitingJournal.js';
import { initCoworking } from './initCoworking.js';

// bench/presence: how fast meeting-1 of the coworking building answers presence, with the
// gateway and every board in one process as `osmose sim --listen` runs them. Presence is changed at the gateway (its PresenceDirectory, as the people
// routes change it) and the effects are read from the simulator's journal, on its one
// monotonic clock.

const room = 'meeting-1';
const table = 'meeting-1-table';
const door = 'meeting-1-door';
const trials = 200;
const warmup = 20;
/** How long a trial waits for each effect: they come within tens of ms; one that does not come at all is lost. */
const waitMs = 3_000;

/** Milliseconds, over the counted trials. */
export interface PresenceFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Counted trials in which the effect did not come (within waitMs), or came after one that did not. */
  readonly lost: number;
}

/** A unikernel the watchdog stopped during the run (it restarts it), and why. */
export interface UnikernelStop {
  readonly board: string;
  readonly code: string;
  readonly message: string;
}

/** What bench/presence measured, each figure over the same trials. */
export interface PresenceBench {
  readonly trials: number;
  readonly warmup: number;
  /** The baseline for departures: the gateway's change → the table board's presence hearing it, on its session. */
  readonly tableHop: PresenceFigures;
  /** The baseline for expectations: the same hop to the door board, whose lights app lights the lamp. */
  readonly doorHop: PresenceFigures;
  /** One of two present leaves → the recorder on the table ends its key epoch (recording paused). */
  readonly leaveToPause: PresenceFigures;
  /** The same departure → a new epoch begun for the one who stayed (recording again, under a new key). */
  readonly leaveToRekeyed: PresenceFigures;
  /** Someone expected in the empty, dark room → its door's lamp on. */
  readonly expectedToLamp: PresenceFigures;
  /** For each counted trial that lost something: what did not happen. */
  readonly missed: readonly string[];
  /** Unikernels stopped during the trials, warm-up included: a stopped one misses the events of its restart. */
  readonly stops: readonly UnikernelStop[];
}

/** One trial's times, in ms from the presence change at the gateway; NaN for what did not happen. */
interface Trial {
  readonly tableHop: number;
  readonly doorHop: number;
  readonly leaveToPause: number;
  readonly leaveToRekeyed: number;
  readonly expectedToLamp: number;
}

/**
 * Presence answered, measured: the issue's "when a participant leaves, recording pauses within
 * milliseconds". In each trial meeting-1 starts empty and dark; someone is expected (the lamp
 * comes on: the room prepared ahead), a companion arrives and they arrive (the recorder keys
 * an epoch for the two), they leave (the recorder pauses: its epoch ends; then it keys a new one
 * for the companion, who leaves last, and the lamp goes off). The baseline, measured on the
 * same changes, is the floor of any gateway → board action: the change reaching the board's
 * presence over its TLS session (Cap'n Proto), before any app runs. Each figure is printed as
 * p50/p99/max and as a ratio to that hop: what the kernel, the app, the enclave and the
 * epoch's manifest add to the network.
 */
export async function presenceBench(): Promise<PresenceBench> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-presence-'));
  const root = join(parent, 'b');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    progress('making and building the coworking building');
    await initCoworking(parent, root);
    const epoch = Math.floor(Date.now() / 1000) - 60;
    await buildBuilding({ root, timestamp: epoch });

    const journal = new WaitingJournal();
    const stops: UnikernelStop[] = [];
    const gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 } });
    closers.push(() => gateway.close());
    // Watching before any board does, so the cause is journalled before the gateway pushes it.
    gateway.presence.watch(room, (change) => {
      const what = change.coming === true ? (change.arrived ? 'expected' : 'unexpected') : change.arrived ? 'arrived' : 'left';
      journal.record({ kind: 'presence', space: room, person: change.person.handle, who: `person ${change.person.handle}`, change: what });
    });

    progress('booting the boards under their update agents');
    const building = await SimBuilding.start(root, {
      boardsDir: join(parent, 'boards'),
      journal,
      onStop: (board, stop) => stops.push({ board, code: stop.error.code, message: stop.error.message }),
      agents: { gateway: gateway.address(), credentials: { many: (boards) => writeBoardCredentialsMany(root, boards, epoch) } },
    });
    closers.push(() => building.close());
    for (const board of [table, door]) {
      const agent = building.agent(board);
      if (agent === undefined) throw new OsmoseError('bench.no-agent', `${board} does not run under an update agent`, { data: { board } });
      // The moment the session hands the change to the board's presence, before anything of the
      // board hears it: its kernel listens to that presence since it booted, and runs the
      // unikernel's handler (the pause, the lamp) within the call, so a listener added now
      // would hear it only after all of that.
      const presence = agent.systemCalls.presence;
      const apply = presence.apply.bind(presence);
      presence.apply = (change) => {
        journal.record({ kind: 'note', text: heard(board, change.person.handle, { arrived: change.arrived, coming: change.coming === true }) });
        apply(change);
      };
    }
    const boards = building.boardIds.length;

    progress('waiting for meeting-1 to hear the gateway');
    // The gateway sends a new watch everyone expected: this is heard however late the boards attach.
    const probe = visitor(1);
    let seq = journal.last;
    gateway.presence.expect(room, probe);
    await Promise.all([table, door].map((board) => journal.next(seq, note(heard(board, probe.handle, { arrived: true, coming: true })), `${board} hearing the gateway`, 120_000)));
    await journal.next(seq, lamp(1), `${door}.lamp lit for the first person expected`);
    seq = journal.last;
    gateway.presence.unexpect(room, probe.handle);
    await journal.next(seq, lamp(0), `${door}.lamp off once nobody is expected`);

    progress(`${warmup} warm-up trials, then ${trials}`);
    const done: Trial[] = [];
    const missed: string[] = [];
    const stopsBefore = stops.length;
    for (let n = 0; n < warmup + trials; n++) {
      const handle = 2 + 2 * n;
      const trial = await runTrial(gateway, journal, handle);
      if (n >= warmup) done.push(trial.times);
      if (trial.missed === undefined) continue;
      if (n >= warmup) missed.push(trial.missed);
      await emptyRoom(gateway, building, [handle, handle + 1]);
    }
    const pick = (key: keyof Trial): PresenceFigures => figures(done.map((trial) => trial[key]));
    const result: PresenceBench = {
      trials,
      warmup,
      tableHop: pick('tableHop'),
      doorHop: pick('doorHop'),
      leaveToPause: pick('leaveToPause'),
      leaveToRekeyed: pick('leaveToRekeyed'),
      expectedToLamp: pick('expectedToLamp'),
      missed,
      stops: stops.slice(stopsBefore),
    };
    print(result, boards);
    return result;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  }
}

/**
 * One trial, from an empty dark room back to one: `handle` is expected, then arrives after a
 * companion (`handle + 1`), then leaves; the companion leaves last. Each step waits for the
 * effect it must have; the first that does not come ends the trial, with what it had measured
 * and what was missed, and the room is then emptied by force (emptyRoom).
 */
async function runTrial(gateway: Gateway, journal: WaitingJournal, handle: number): Promise<{ readonly times: Trial; readonly missed?: string }> {
  const person = visitor(handle);
  const companion = visitor(handle + 1);
  const presence = gateway.presence;
  const times = { tableHop: Number.NaN, doorHop: Number.NaN, leaveToPause: Number.NaN, leaveToRekeyed: Number.NaN, expectedToLamp: Number.NaN };
  const next = <T extends JournalEntry>(after: number, matches: (entry: JournalEntry) => entry is T, what: string): Promise<T> => journal.next(after, matches, what, waitMs);
  try {
    let seq = journal.last;
    presence.expect(room, person);
    const expected = await next(seq, change('expected', handle), `the gateway expecting person ${handle}`);
    times.doorHop = (await next(seq, note(heard(door, handle, { arrived: true, coming: true })), `${door} hearing person ${handle} expected`)).at - expected.at;
    times.expectedToLamp = (await next(seq, lamp(1), `${door}.lamp lit for person ${handle} expected`)).at - expected.at;

    seq = journal.last;
    presence.arrive(room, companion);
    await next(seq, recording('begin', 1), `an epoch begun for person ${companion.handle} alone`);
    seq = journal.last;
    presence.arrive(room, person);
    await next(seq, recording('begin', 2), `an epoch begun for persons ${handle} and ${companion.handle}`);

    seq = journal.last;
    presence.leave(room, handle);
    const left = await next(seq, change('left', handle), `the gateway hearing person ${handle} leave`);
    times.tableHop = (await next(seq, note(heard(table, handle, { arrived: false, coming: false })), `${table} hearing person ${handle} leave`)).at - left.at;
    const paused = await next(seq, recording('end'), `the recording paused when person ${handle} left`);
    times.leaveToPause = paused.at - left.at;
    times.leaveToRekeyed = (await next(paused.seq, recording('begin', 1), `recording again for person ${companion.handle} when person ${handle} left`)).at - left.at;

    seq = journal.last;
    presence.leave(room, companion.handle);
    await next(seq, recording('end'), `the recording paused when the room emptied`);
    await next(seq, lamp(0), `${door}.lamp off when the room emptied`);
    return { times };
  } catch (error) {
    if (!isOsmoseError(error) || error.code !== 'bench.no-effect') throw error;
    return { times, missed: error.message };
  }
}

/**
 * After a trial that missed an effect: everyone of it leaves the building, and the bench waits
 * for meeting-1 to be as a trial starts it, dark, with its recorder running (a unikernel the
 * watchdog stopped is restarted), or fails when it does not get there.
 */
async function emptyRoom(gateway: Gateway, building: SimBuilding, handles: readonly number[]): Promise<void> {
  for (const handle of handles) gateway.presence.forget(handle);
  const deadline = performance.now() + 15_000;
  for (;;) {
    const dark = (building.get(door, 'lamp') as { readonly level?: number }).level === 0;
    const running = building.board(table).watchdog.health().running;
    if (dark && running) return;
    if (performance.now() > deadline) {
      throw new OsmoseError('bench.stuck', `${room} did not come back to a dark room with its recorder running after a lost trial (lamp ${dark ? 'off' : 'on'}, recorder ${running ? 'running' : 'stopped'})`, { data: { dark, running } });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A person on a visit, with a key of their own, as the entrance makes one (the bench needs no register). */
function visitor(handle: number): PresentPerson {
  return { handle, destination: room, publicKey: rawX25519PublicKey(generateKeyPairSync('x25519').publicKey) };
}

/** What the bench journals when a board's presence hears a change: the baseline's effect. */
function heard(board: string, person: number, change: Pick<KernelPresenceChange, 'arrived' | 'coming'>): string {
  const what = change.coming ? (change.arrived ? 'expected' : 'unexpected') : change.arrived ? 'arrived' : 'left';
  return `${board} heard person ${person} ${what}`;
}

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

const note = (text: string) => (entry: JournalEntry): entry is Entry<'note'> => entry.kind === 'note' && entry.text === text;

const change = (what: Entry<'presence'>['change'], person: number) => (entry: JournalEntry): entry is Entry<'presence'> =>
  entry.kind === 'presence' && entry.space === room && entry.change === what && entry.person === person;

const lamp = (level: number) => (entry: JournalEntry): entry is Entry<'output'> => entry.kind === 'output' && entry.board === door && entry.device === 'lamp' && entry.level === level;

const recording = (what: 'begin' | 'end', members?: number) => (entry: JournalEntry): entry is Entry<'recording'> =>
  entry.kind === 'recording' && entry.board === table && entry.change === what && (members === undefined || entry.members === members);

function figures(values: readonly number[]): PresenceFigures {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { p50: rank(0.5), p99: rank(0.99), max: sorted.at(-1) ?? Number.NaN, lost: values.length - sorted.length };
}

function print(result: PresenceBench, boards: number): void {
  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  const line = (f: PresenceFigures): string => `p50 ${ms(f.p50)}  p99 ${ms(f.p99)}  max ${ms(f.max)}${f.lost === 0 ? '' : `  lost ${f.lost}`}`;
  const ratio = (f: PresenceFigures, hop: PresenceFigures): string =>
    `${(f.p50 / hop.p50).toFixed(1)}× the hop at p50 (+${ms(f.p50 - hop.p50)}), ${(f.p99 / hop.p99).toFixed(1)}× at p99, ${(f.max / hop.max).toFixed(1)}× at max`;
  const { tableHop, doorHop, leaveToPause, leaveToRekeyed, expectedToLamp } = result;
  const rows: [string, PresenceFigures, PresenceFigures | undefined][] = [
    [`baseline  gateway → ${table}'s presence (the session's push)`, tableHop, undefined],
    [`baseline  gateway → ${door}'s presence`, doorHop, undefined],
    ['leave     → recording paused (its key epoch ended)', leaveToPause, tableHop],
    ['leave     → recording again under a new key for the one who stayed', leaveToRekeyed, tableHop],
    [`expected  → lamp on (${door}.lamp)`, expectedToLamp, doorHop],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`presence: ${room} of the coworking building answering presence changed at its gateway; the gateway and ${boards} simulated boards under their update agents in one process (TLS sessions on 127.0.0.1); ${result.trials} trials, each a person expected, arriving after a companion and leaving; ${result.warmup} warm-up trials`);
  for (const [label, f, hop] of rows) {
    console.log(`  ${label.padEnd(width)}  ${line(f)}`);
    if (hop !== undefined) console.log(`  ${''.padEnd(width)}  ${ratio(f, hop)}`);
  }
  const stopped = new Map<string, number>();
  for (const stop of result.stops) {
    const what = `${stop.board}: ${stop.code}: ${stop.message}`;
    stopped.set(what, (stopped.get(what) ?? 0) + 1);
  }
  for (const [what, count] of stopped) console.log(`  stopped   ${count}× ${what} (its watchdog restarts it; the change it was handling is not told again)`);
  const missed = new Map<string, number>();
  for (const what of result.missed) {
    const kind = what.replace(/person(s?) \d+/g, 'person$1 N').replace(/\d+ and \d+/g, 'N and M');
    missed.set(kind, (missed.get(kind) ?? 0) + 1);
  }
  for (const [what, count] of missed) console.log(`  lost      ${count}× ${what}`);
}

function progress(what: string): void {
  process.stderr.write(`bench/presence: ${what}…\n`);
}
