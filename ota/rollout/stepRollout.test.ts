import { describe, expect, it } from 'vitest';
import { applyJournalEvents } from './applyJournalEvent.js';
import type { JournalEvent } from './JournalEvent.js';
import { parseRolloutOptions, type RolloutOptionsText } from './parseRolloutOptions.js';
import type { RolloutAction, RolloutInput } from './RolloutInput.js';
import { rolloutExitStatus } from './rolloutExitStatus.js';
import type { RolloutSpec } from './RolloutSpec.js';
import { rolloutBoard } from './rolloutBoard.js';
import type { BoardRollout, RolloutState } from './RolloutState.js';
import { rolloutSummary } from './rolloutSummary.js';
import { startRollout } from './startRollout.js';
import { stepRollout } from './stepRollout.js';

/** An input without its time: the drive adds one. */
type Untimed = RolloutInput extends infer I ? (I extends RolloutInput ? Omit<I, 'at'> : never) : never;

const oldImage = 'sha256:old';
const newImage = 'sha256:new';
const start = Date.parse('2025-01-06T12:00:00Z');

/** `count` boards over ten rooms on two floors: b000 in floor-0/room-0, b001 in floor-1/room-1, … */
function makeSpec(count: number, options: RolloutOptionsText = {}): RolloutSpec {
  return {
    id: 'r-0123abcd-1',
    build: '0123abcd'.repeat(5),
    startedAt: new Date(start).toISOString(),
    ...parseRolloutOptions({ healthTimeout: '1h', ...options }),
    targets: Array.from({ length: count }, (_, i) => ({ board: `b${String(i).padStart(3, '0')}`, space: `floor-${i % 2}/room-${i % 10}`, image: newImage, version: 2 })),
  };
}

/** Drives a rollout the way a gateway would, one second per input unless told otherwise. */
class Drive {
  state: RolloutState;
  readonly spec: RolloutSpec;
  readonly events: JournalEvent[] = [];
  readonly actions: RolloutAction[] = [];
  clock = start;

  constructor(spec: RolloutSpec) {
    this.spec = spec;
    this.state = startRollout(spec);
  }

  at(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  feed(input: Untimed): RolloutAction[] {
    const step = stepRollout(this.state, { at: this.at(), ...input });
    this.state = step.state;
    this.events.push(...step.events);
    this.actions.push(...step.actions);
    return [...step.actions];
  }

  seeAll(image = oldImage): void {
    for (const target of this.spec.targets) this.feed({ kind: 'seen', board: target.board, online: true, image });
  }

  tick(): RolloutAction[] {
    return this.feed({ kind: 'tick' });
  }

  /** The board goes through every step to healthy; returns the actions the last step caused. */
  healthy(board: string): RolloutAction[] {
    for (const step of ['accepted', 'downloading', 'downloaded', 'installed'] as const) this.feed({ kind: 'progress', board, step, bytes: 1000 });
    return this.feed({ kind: 'progress', board, step: 'healthy' });
  }

  /** Every offered board turns healthy until no offer is left unanswered. */
  runHealthy(): void {
    for (let answered = 0; answered < this.offers().length; answered++) this.healthy(this.offers()[answered] as string);
  }

  offers(): string[] {
    return this.actions.filter((a) => a.kind === 'offer').map((a) => a.board);
  }

  board(id: string): BoardRollout {
    const board = rolloutBoard(this.state, id);
    if (board === undefined) throw new Error(`no board ${id}`);
    return board;
  }
}

const kinds = (actions: readonly RolloutAction[], kind: RolloutAction['kind']): string[] => actions.filter((a) => a.kind === kind).map((a) => a.board).sort();

describe('stepRollout: waves', () => {
  it('offers 1, then 5%, 25% and 100% of 100 boards cumulatively, each wave after the one before is healthy, and completes', () => {
    const drive = new Drive(makeSpec(100, { waves: '1,5%,25%,100%' }));
    drive.seeAll();
    expect(drive.offers()).toEqual([]); // the first wave waits for the first tick
    const waveSizes: number[] = [];
    let actions = drive.tick();
    while (kinds(actions, 'offer').length > 0) {
      const offered = kinds(actions, 'offer');
      waveSizes.push(offered.length);
      // Nothing more is offered while the wave's boards are in flight.
      for (const board of offered.slice(0, -1)) expect(kinds(drive.healthy(board), 'offer')).toEqual([]);
      actions = drive.healthy(offered.at(-1));
      expect(kinds(actions, 'commit')).toEqual(offered);
    }
    expect(waveSizes).toEqual([1, 4, 20, 75]);
    expect(drive.state.status).toBe('completed');
    expect(rolloutExitStatus(drive.state)).toBe(0);
    const summary = rolloutSummary(drive.state);
    expect(summary.boards.committed).toBe(100);
    expect(summary).toMatchObject({ done: 100, total: 100, offered: 100, bytes: 100_000, wave: { current: 4, of: 4, allPassed: true } });
    expect(drive.events.filter((e) => e.kind === 'wave-passed').map((e) => e.kind === 'wave-passed' && e.committed)).toEqual([1, 4, 20, 75]);
  });

  it('spreads a wave over rooms: the first ten boards offered are in ten different rooms', () => {
    const drive = new Drive(makeSpec(100, { waves: '10,100%' }));
    drive.seeAll();
    const offered = kinds(drive.tick(), 'offer');
    expect(offered).toHaveLength(10);
    expect(new Set(offered.map((board) => drive.board(board).space)).size).toBe(10);
    // The same spec gives the same order.
    expect(startRollout(drive.spec).boards.map((b) => b.board)).toEqual(drive.state.boards.map((b) => b.board));
  });

  it('never offers a board that already runs its target image, and sizes waves over the boards to update', () => {
    const drive = new Drive(makeSpec(10, { waves: '50%,100%' }));
    const unchanged = ['b000', 'b003', 'b005', 'b008'];
    for (const target of drive.spec.targets) drive.feed({ kind: 'seen', board: target.board, online: true, image: unchanged.includes(target.board) ? newImage : oldImage });
    expect(unchanged.map((board) => drive.board(board).state)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(kinds(drive.tick(), 'offer')).toHaveLength(3); // half of the 6 to update
    drive.runHealthy();
    expect(drive.offers()).toHaveLength(6);
    for (const board of unchanged) expect(drive.offers()).not.toContain(board);
    expect(drive.state.status).toBe('completed');
    expect(rolloutSummary(drive.state).boards).toMatchObject({ unchanged: 4, committed: 6 });
  });

  it('turns a deferred board that comes back on the target image into unchanged, not an offer', () => {
    const drive = new Drive(makeSpec(3, { waves: '100%' }));
    drive.feed({ kind: 'seen', board: 'b000', online: true, image: oldImage });
    drive.feed({ kind: 'seen', board: 'b001', online: true, image: oldImage });
    drive.tick();
    drive.runHealthy();
    expect(drive.state.status).toBe('completed-with-deferred');
    drive.feed({ kind: 'seen', board: 'b002', online: true, image: newImage });
    expect(drive.board('b002').state).toBe('unchanged');
    expect(drive.state.status).toBe('completed');
    expect(drive.offers()).not.toContain('b002');
  });
});

describe('stepRollout: failures', () => {
  /** Wave 1 (one board) committed, wave 2 (four boards) offered. */
  function inWave2(maxFailures: string): { drive: Drive; first: string; wave2: string[] } {
    const drive = new Drive(makeSpec(100, { waves: '1,5%,100%', maxFailures }));
    drive.seeAll();
    const first = kinds(drive.tick(), 'offer')[0] as string;
    const wave2 = kinds(drive.healthy(first), 'offer');
    expect(wave2).toHaveLength(4);
    return { drive, first, wave2 };
  }

  it('halts when failures pass the limit and reverts exactly the uncommitted boards of the wave', () => {
    const { drive, first, wave2 } = inWave2('1');
    const [healthy, installing, failing, reverting] = wave2 as [string, string, string, string];
    drive.healthy(healthy);
    drive.feed({ kind: 'progress', board: installing, step: 'downloading', bytes: 10 });
    drive.feed({ kind: 'progress', board: installing, step: 'installed' });
    drive.feed({ kind: 'progress', board: failing, step: 'failed', reason: 'the image does not verify' });
    expect(drive.state.status).toBe('running'); // one failure is within the limit of 1
    const actions = drive.feed({ kind: 'progress', board: reverting, step: 'reverted', reason: 'self-test failed' });
    expect(drive.state.status).toBe('halted');
    expect(drive.state.reason).toBe('2 failures, over the limit of 1');
    expect(kinds(actions, 'revert')).toEqual([healthy, installing].sort());
    expect(actions.find((a) => a.kind === 'revert')).toMatchObject({ reason: 'rollout halted: 2 failures, over the limit of 1' });
    expect(kinds(actions, 'offer')).toEqual([]);
    expect(drive.board(first).state).toBe('committed'); // earlier waves stay committed
    expect(drive.board(reverting)).toMatchObject({ state: 'reverted', reason: 'self-test failed' });
    expect(rolloutSummary(drive.state).failures.map((f) => [f.board, f.wave, f.reason])).toEqual([
      [failing, 2, 'the image does not verify'],
      [reverting, 2, 'self-test failed'],
    ]);
    expect(rolloutExitStatus(drive.state)).toBe(1);
    // Nothing more happens: no offers on later ticks, and late reports are refused and noted.
    expect(drive.tick()).toEqual([]);
    const before = drive.state;
    drive.feed({ kind: 'progress', board: healthy, step: 'healthy' });
    expect(drive.events.at(-1)).toMatchObject({ kind: 'ignored' });
    expect(drive.state.boards).toEqual(before.boards);
    // The boards confirm their revert.
    drive.feed({ kind: 'progress', board: installing, step: 'reverted' });
    expect(drive.board(installing).state).toBe('reverted');
    expect(drive.state.failures).toHaveLength(2);
  });

  it('counts a percentage limit against the boards offered so far', () => {
    const within = inWave2('20%'); // 5 offered: one failure is 20%, not over it
    within.drive.feed({ kind: 'progress', board: within.wave2[0] as string, step: 'failed' });
    expect(within.drive.state.status).toBe('running');
    within.drive.feed({ kind: 'progress', board: within.wave2[1] as string, step: 'refused' });
    expect(within.drive.state.status).toBe('halted');
    expect(within.drive.state.reason).toBe('2 of 5 offered boards failed, over the limit of 20%');

    const canary = new Drive(makeSpec(100, { waves: '1,100%', maxFailures: '10%' }));
    canary.seeAll();
    const first = kinds(canary.tick(), 'offer')[0] as string;
    canary.feed({ kind: 'progress', board: first, step: 'reverted', reason: 'trapped at start' });
    expect(canary.state.status).toBe('halted');
    expect(canary.offers()).toEqual([first]);
  });

  it('fails a board that is not healthy within the health timeout, with that reason', () => {
    const drive = new Drive(makeSpec(4, { waves: '1,100%', maxFailures: '3', healthTimeout: '5m' }));
    drive.seeAll();
    const first = kinds(drive.tick(), 'offer')[0] as string;
    drive.feed({ kind: 'progress', board: first, step: 'downloading' });
    drive.clock += 4 * 60_000;
    expect(drive.tick()).toEqual([]);
    expect(drive.board(first).state).toBe('downloading');
    drive.clock += 60_000;
    const next = drive.tick();
    expect(drive.board(first)).toMatchObject({ state: 'failed', reason: 'not healthy within 5m of its offer' });
    // The wave's gate passes on a failure within the limit: the next wave starts.
    expect(kinds(next, 'offer')).toHaveLength(3);
  });

  it('completes with failures under the limit, and says so in its exit status', () => {
    const drive = new Drive(makeSpec(4, { waves: '100%', maxFailures: '1' }));
    drive.seeAll();
    const offered = kinds(drive.tick(), 'offer');
    drive.feed({ kind: 'progress', board: offered[0] as string, step: 'failed', reason: 'disk full' });
    for (const board of offered.slice(1)) drive.healthy(board);
    expect(drive.state.status).toBe('completed-with-failures');
    expect(rolloutExitStatus(drive.state)).toBe(4);
  });
});

describe('stepRollout: holds, busy and offline boards', () => {
  it('defers a held room, does not let it block a wave, and offers it on release after the last wave', () => {
    const drive = new Drive(makeSpec(20, { waves: '1,50%,100%' }));
    drive.seeAll();
    drive.feed({ kind: 'hold', space: 'floor-0/room-4' });
    drive.tick();
    drive.runHealthy();
    const held = drive.spec.targets.filter((t) => t.space === 'floor-0/room-4').map((t) => t.board);
    expect(held).toHaveLength(2);
    expect(held.map((board) => drive.board(board).state)).toEqual(['deferred', 'deferred']);
    expect(drive.state.status).toBe('completed-with-deferred');
    expect(rolloutExitStatus(drive.state)).toBe(3);
    expect(rolloutSummary(drive.state).deferred).toEqual(held.map((board) => ({ board, reason: 'space floor-0/room-4 held' })));

    const released = drive.feed({ kind: 'release', space: 'floor-0/room-4' });
    expect(kinds(released, 'offer')).toEqual(held);
    drive.healthy(held[0] as string);
    const last = drive.healthy(held[1] as string);
    expect(kinds(last, 'commit')).toEqual([held[1]]);
    expect(drive.state.status).toBe('completed');
  });

  it('holds every room under a held floor', () => {
    const drive = new Drive(makeSpec(10, { waves: '100%' }));
    drive.seeAll();
    drive.feed({ kind: 'hold', space: 'floor-1' });
    expect(kinds(drive.tick(), 'offer')).toEqual(['b000', 'b002', 'b004', 'b006', 'b008']);
  });

  it('upgrades a room in a meeting later, when its board is no longer busy', () => {
    const drive = new Drive(makeSpec(5, { waves: '100%' }));
    drive.seeAll();
    drive.feed({ kind: 'seen', board: 'b002', online: true, image: oldImage, busy: true });
    expect(kinds(drive.tick(), 'offer')).toEqual(['b000', 'b001', 'b003', 'b004']);
    expect(drive.board('b002')).toMatchObject({ state: 'deferred', reason: 'busy: a meeting is in progress' });
    // Still busy while the others finish: the wave passes without it.
    for (const board of ['b000', 'b001', 'b003', 'b004']) drive.healthy(board);
    expect(drive.state.status).toBe('completed-with-deferred');
    expect(kinds(drive.feed({ kind: 'seen', board: 'b002', online: true, image: oldImage, busy: false }), 'offer')).toEqual(['b002']);
    drive.healthy('b002');
    expect(drive.state.status).toBe('completed');
  });

  it('lets a board that was offline during the rollout catch up when it returns, after completion', () => {
    const drive = new Drive(makeSpec(6, { waves: '1,100%' }));
    drive.seeAll();
    drive.feed({ kind: 'seen', board: 'b004', online: false, image: null });
    drive.tick();
    drive.runHealthy();
    expect(drive.state.status).toBe('completed-with-deferred');
    expect(drive.board('b004')).toMatchObject({ state: 'deferred', running: oldImage, online: false });
    const back = drive.feed({ kind: 'seen', board: 'b004', online: true, image: oldImage });
    expect(back).toEqual([{ kind: 'offer', board: 'b004' }]);
    expect(drive.healthy('b004')).toEqual([{ kind: 'commit', board: 'b004' }]);
    expect(drive.state.status).toBe('completed');
    expect(drive.offers().filter((b) => b === 'b004')).toHaveLength(1);
  });

  it('defers a board never seen, and offers it as soon as it is seen', () => {
    const drive = new Drive(makeSpec(3, { waves: '100%' }));
    drive.feed({ kind: 'seen', board: 'b000', online: true, image: oldImage });
    expect(kinds(drive.tick(), 'offer')).toEqual(['b000']);
    expect(drive.board('b001')).toMatchObject({ state: 'deferred', reason: 'not seen yet' });
    // Seen while the wave is in flight: it joins the wave's gate.
    expect(kinds(drive.feed({ kind: 'seen', board: 'b001', online: true, image: oldImage }), 'offer')).toEqual(['b001']);
    expect(drive.board('b001').wave).toBe(1);
  });
});

describe('stepRollout: windows', () => {
  // 2025-01-06 is a Monday; Europe/Paris is UTC+1 in January.
  const window = { window: ['Mon-Fri 22:00-06:00'], timezone: 'Europe/Paris' };

  it('offers nothing outside the maintenance window, and starts when it opens', () => {
    const drive = new Drive(makeSpec(10, { waves: '1,100%', ...window }));
    drive.seeAll();
    drive.clock = Date.parse('2025-01-06T20:00:00Z'); // 21:00 in Paris
    expect(drive.tick()).toEqual([]);
    expect(drive.state.status).toBe('waiting-window');
    drive.clock = Date.parse('2025-01-06T20:59:00Z'); // 21:59
    expect(drive.tick()).toEqual([]);
    drive.clock = Date.parse('2025-01-06T21:00:00Z'); // 22:00: open
    expect(kinds(drive.tick(), 'offer')).toHaveLength(1);
    expect(drive.state.status).toBe('running');
  });

  it('lets boards in flight finish when the window closes, and holds the next wave until it opens again', () => {
    const drive = new Drive(makeSpec(10, { waves: '1,100%', ...window }));
    drive.seeAll();
    drive.clock = Date.parse('2025-01-07T04:58:00Z'); // Tuesday 05:58 in Paris: Monday's window
    const first = kinds(drive.tick(), 'offer')[0] as string;
    drive.clock = Date.parse('2025-01-07T05:00:00Z'); // 06:00: closed
    drive.tick();
    expect(drive.state.status).toBe('waiting-window');
    expect(drive.healthy(first)).toEqual([{ kind: 'commit', board: first }]); // gated and committed
    expect(drive.tick()).toEqual([]);
    drive.clock = Date.parse('2025-01-07T21:00:00Z'); // Tuesday 22:00
    expect(kinds(drive.tick(), 'offer')).toHaveLength(9);
  });

  it('reads a window in the building\'s time zone, across midnight and over the weekend', () => {
    const drive = new Drive(makeSpec(2, { waves: '100%', ...window }));
    drive.seeAll();
    drive.clock = Date.parse('2025-01-11T04:00:00Z'); // Saturday 05:00: Friday's window
    expect(kinds(drive.tick(), 'offer')).toHaveLength(2);
    const weekend = new Drive(makeSpec(2, { waves: '100%', ...window }));
    weekend.seeAll();
    weekend.clock = Date.parse('2025-01-11T22:00:00Z'); // Saturday 23:00: no window
    expect(weekend.tick()).toEqual([]);
  });
});

describe('stepRollout: pause, resume, abort', () => {
  it('pause lets boards in flight finish and commit, offers nothing new until resume', () => {
    const drive = new Drive(makeSpec(10, { waves: '2,100%' }));
    drive.seeAll();
    const offered = kinds(drive.tick(), 'offer');
    drive.feed({ kind: 'pause' });
    expect(drive.state.status).toBe('paused');
    drive.healthy(offered[0] as string);
    expect(kinds(drive.healthy(offered[1] as string), 'commit')).toEqual(offered);
    expect(drive.tick()).toEqual([]);
    drive.feed({ kind: 'pause' });
    expect(drive.events.at(-1)).toMatchObject({ kind: 'ignored', reason: 'the rollout is paused: there is nothing to pause' });
    expect(kinds(drive.feed({ kind: 'resume' }), 'offer')).toHaveLength(8);
  });

  it('abort rolls back the wave with the operator\'s reason and refuses to resume', () => {
    const drive = new Drive(makeSpec(10, { waves: '1,100%' }));
    drive.seeAll();
    drive.healthy(kinds(drive.tick(), 'offer')[0] as string);
    const wave2 = drive.offers().slice(1);
    drive.healthy(wave2[0] as string);
    drive.feed({ kind: 'progress', board: wave2[1] as string, step: 'downloading' });
    const actions = drive.feed({ kind: 'abort', reason: 'wrong build' });
    expect(drive.state).toMatchObject({ status: 'aborted', reason: 'aborted by the operator: wrong build' });
    expect(kinds(actions, 'revert')).toEqual(wave2.sort());
    expect(actions[0]).toMatchObject({ reason: 'rollout aborted by the operator: wrong build' });
    expect(rolloutExitStatus(drive.state)).toBe(1);
    drive.feed({ kind: 'resume' });
    expect(drive.state.status).toBe('aborted');
    expect(drive.events.at(-1)).toMatchObject({ kind: 'ignored' });
  });
});

describe('stepRollout: garbage in', () => {
  it('ignores and notes what it cannot take, and changes nothing else', () => {
    const drive = new Drive(makeSpec(4, { waves: '1,100%' }));
    drive.seeAll();
    const first = kinds(drive.tick(), 'offer')[0] as string;
    const other = drive.spec.targets.map((t) => t.board).find((b) => b !== first) as string;
    const garbage: Untimed[] = [
      { kind: 'progress', board: 'nobody', step: 'healthy' },
      { kind: 'seen', board: 'nobody', online: true, image: oldImage },
      { kind: 'progress', board: other, step: 'healthy' }, // never offered
      { kind: 'progress', board: first, step: 'committed' }, // the engine commits, not the board
      { kind: 'progress', board: first, step: 'exploded' as 'failed' },
      { kind: 'hold', space: 'attic' },
      { kind: 'release', space: 'floor-0' },
      { kind: 'resume' },
      { kind: 'reboot' } as unknown as Untimed,
    ];
    const before = drive.state;
    for (const input of garbage) {
      const actions = drive.feed(input);
      expect(actions).toEqual([]);
      expect(drive.events.at(-1)?.kind).toBe('ignored');
    }
    const ignored = drive.events.slice(-garbage.length);
    expect(ignored.map((e) => e.kind === 'ignored' && e.reason)).toEqual([
      'no board "nobody" in this rollout',
      'no board "nobody" in this rollout',
      `${other} reported healthy while pending: the board table has no such step`,
      `${first} reported committed while offered: the board table has no such step`,
      '"exploded" is not a step (accepted, downloading, downloaded, installed, healthy, committed, reverted, failed, refused)',
      'no board of this rollout is in space attic',
      'space floor-0 is not held',
      'the rollout is running: there is nothing to resume',
      '"reboot" is not an input the rollout knows',
    ]);
    expect(drive.state).toEqual({ ...before, updatedAt: before.updatedAt });

    // Going backwards is refused too.
    drive.healthy(first);
    const wave2 = drive.offers()[1] as string;
    drive.healthy(wave2);
    drive.feed({ kind: 'progress', board: wave2, step: 'downloading' });
    expect(drive.events.at(-1)).toMatchObject({ kind: 'ignored' });
    expect(drive.board(wave2).state).toBe('healthy');

    const badTime = stepRollout(drive.state, { kind: 'tick', at: 'yesterday' });
    expect(badTime.events).toEqual([{ kind: 'ignored', at: drive.state.updatedAt, input: '{"kind":"tick","at":"yesterday"}', reason: 'its time "yesterday" is not an ISO time' }]);
  });

  it('takes a report that skips steps the gateway lost', () => {
    const drive = new Drive(makeSpec(2, { waves: '100%' }));
    drive.seeAll();
    drive.tick();
    expect(kinds(drive.feed({ kind: 'progress', board: 'b000', step: 'healthy' }), 'commit')).toEqual([]);
    expect(drive.board('b000').state).toBe('healthy');
  });
});

describe('applyJournalEvents', () => {
  it('replays a run\'s events to the state the run ended in', () => {
    const drive = new Drive(makeSpec(30, { waves: '1,10%,100%', maxFailures: '2' }));
    drive.seeAll();
    drive.feed({ kind: 'hold', space: 'floor-1/room-3' });
    drive.feed({ kind: 'seen', board: 'b007', online: false, image: null });
    drive.tick();
    drive.runHealthy();
    drive.feed({ kind: 'progress', board: 'nobody', step: 'healthy' });
    expect(applyJournalEvents(startRollout(drive.spec), drive.events)).toEqual(drive.state);
    expect(JSON.parse(JSON.stringify(drive.state))).toEqual(drive.state);
  });
});
