import { execFileSync } from 'node:child_process';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import type { JournalEvent } from './JournalEvent.js';
import { listRollouts } from './listRollouts.js';
import { parseRolloutOptions } from './parseRolloutOptions.js';
import { readRolloutJournal } from './readRolloutJournal.js';
import { replayRollout } from './replayRollout.js';
import { resumeActions } from './resumeActions.js';
import { resumeRollout } from './resumeRollout.js';
import { rolloutBoard } from './rolloutBoard.js';
import { rolloutHistory } from './rolloutHistory.js';
import type { RolloutAction, RolloutInput } from './RolloutInput.js';
import { RolloutJournal } from './RolloutJournal.js';
import { rolloutRef } from './rolloutRef.js';
import type { RolloutSpec } from './RolloutSpec.js';
import type { RolloutState } from './RolloutState.js';
import { startRollout } from './startRollout.js';
import { stepRollout } from './stepRollout.js';

let root: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-rollouts-'));
  await git.init({ fs, dir: root, defaultBranch: 'main' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const start = Date.parse('2025-03-03T22:00:00Z');

/** An input without its time: the script adds one. */
type Untimed = RolloutInput extends infer I ? (I extends RolloutInput ? Omit<I, 'at'> : never) : never;

function makeSpec(count: number, id = 'r-0123abcd-1'): RolloutSpec {
  return {
    id,
    build: '0123abcd'.repeat(5),
    startedAt: new Date(start).toISOString(),
    ...parseRolloutOptions({ waves: '1,10%,50%,100%', maxFailures: '3', healthTimeout: '1h' }),
    targets: Array.from({ length: count }, (_, i) => ({ board: `b${String(i).padStart(2, '0')}`, space: `floor-1/room-${i % 6}`, image: 'sha256:new', version: 7 })),
  };
}

/** The number of events in each batch file of a rollout, in order, read with system git. */
function readBatchSizes(id: string): number[] {
  const names = gitOut('ls-tree', '--name-only', `${rolloutRef}:rollouts/${id}/events`).trim().split('\n');
  return names.map((name) => gitOut('cat-file', 'blob', `${rolloutRef}:rollouts/${id}/events/${name}`).trim().split('\n').length);
}

/** A scheduler that runs nothing by itself: the test decides when a timed flush happens, or that it never does. */
class ManualSchedule {
  readonly pending: { run: () => void; ms: number }[] = [];
  readonly schedule = (run: () => void, ms: number): (() => void) => {
    const entry = { run, ms };
    this.pending.push(entry);
    return () => this.pending.splice(this.pending.indexOf(entry), 1);
  };
  runAll(): void {
    for (const entry of this.pending.splice(0)) entry.run();
  }
}

/**
 * A rollout of 30 boards played once with simulated boards, recording every input the
 * gateway fed: one board reverts (self-test failed), one is offline until after the last wave,
 * a room is held then released, the operator pauses and resumes.
 */
function playScript(spec: RolloutSpec): { inputs: RolloutInput[]; states: RolloutState[] } {
  let clock = start;
  const inputs: RolloutInput[] = [];
  const states: RolloutState[] = [];
  let state = startRollout(spec);
  const queue: RolloutAction[] = [];
  const feed = (input: Untimed): void => {
    clock += 7_000;
    const timed = { ...input, at: new Date(clock).toISOString() } as RolloutInput;
    const step = stepRollout(state, timed);
    state = step.state;
    inputs.push(timed);
    states.push(state);
    queue.push(...step.actions);
  };
  for (const target of spec.targets) feed({ kind: 'seen', board: target.board, online: target.board !== 'b13', image: target.board === 'b04' ? 'sha256:new' : 'sha256:old' });
  feed({ kind: 'hold', space: 'floor-1/room-5' });
  feed({ kind: 'tick' });
  let paused = false;
  for (;;) {
    const action = queue.shift();
    if (action === undefined) {
      // Every wave has passed: the held room is released, then the offline board comes back.
      if (state.status !== 'completed-with-deferred') break;
      if (state.holds.length > 0) feed({ kind: 'release', space: 'floor-1/room-5' });
      else if (rolloutBoard(state, 'b13')?.state === 'deferred') feed({ kind: 'seen', board: 'b13', online: true, image: 'sha256:old' });
      else break;
      continue;
    }
    if (action.kind !== 'offer') continue;
    const board = action.board;
    feed({ kind: 'progress', board, step: 'accepted' });
    feed({ kind: 'progress', board, step: 'downloading', bytes: 4096 });
    feed({ kind: 'progress', board, step: 'downloaded', bytes: 8192 });
    feed({ kind: 'progress', board, step: 'installed' });
    if (board === 'b07') feed({ kind: 'progress', board, step: 'reverted', reason: 'self-test failed' });
    else feed({ kind: 'progress', board, step: 'healthy' });
    if (!paused && state.wave === 3) {
      paused = true;
      feed({ kind: 'pause' });
      feed({ kind: 'tick' });
      feed({ kind: 'resume' });
    }
    feed({ kind: 'progress', board: 'ghost', step: 'healthy' });
  }
  return { inputs, states };
}

describe('RolloutJournal', () => {
  it('writes the spec, the started event and current.json in the first commit', async () => {
    const spec = makeSpec(5);
    const journal = await RolloutJournal.create(root, spec);
    expect(gitOut('rev-list', '--count', rolloutRef).trim()).toBe('1');
    expect(gitOut('ls-tree', '-r', '--name-only', rolloutRef).trim().split('\n')).toEqual(['current.json', 'rollouts/r-0123abcd-1/events/00000001.jsonl', 'rollouts/r-0123abcd-1/spec.json']);
    expect(JSON.parse(gitOut('show', `${rolloutRef}:current.json`))).toEqual({ rollout: spec.id });
    expect(JSON.parse(gitOut('show', `${rolloutRef}:rollouts/${spec.id}/spec.json`))).toEqual(spec);
    expect(gitOut('log', '--format=%s', rolloutRef).trim()).toBe('rollout r-0123abcd-1: started: build 0123abcd0123, 5 boards, waves 1,10%,50%,100%');
    // The commit's time is the event's, not the wall clock's.
    expect(gitOut('log', '--format=%ct', rolloutRef).trim()).toBe(String(start / 1000));
    await journal.close();
    expect(() => journal.record([{ kind: 'ignored', at: spec.startedAt, input: '{}', reason: 'late' }])).toThrow(/closed/);
  });

  it('batches events: 200 waiting, or the delay after the first, make one commit; nothing is rewritten', async () => {
    const spec = makeSpec(80);
    const timer = new ManualSchedule();
    const journal = await RolloutJournal.create(root, spec, { schedule: timer.schedule });
    const { inputs } = playScript(spec);
    let state = startRollout(spec);
    const all: JournalEvent[] = [];
    for (const input of inputs) {
      const step = stepRollout(state, input);
      state = step.state;
      all.push(...step.events);
      journal.record(step.events);
      // Inputs come from the network: the journal's writes interleave with them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(all.length).toBeGreaterThan(400);
    await journal.flush();
    const commits = Number(gitOut('rev-list', '--count', rolloutRef).trim());
    // The start, then batches of at least 200 events but the last (a batch holds what waits when it is written).
    const sizes = readBatchSizes(spec.id).slice(1);
    expect(sizes.reduce((sum, n) => sum + n, 0)).toBe(all.length);
    expect(sizes.length).toBe(commits - 1);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(all.length / 200));
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(200);

    // A burst recorded at once goes as one batch.
    const burst = Array.from({ length: 450 }, (_, i): JournalEvent => ({ kind: 'ignored', at: state.updatedAt, input: '{}', reason: `burst ${i}` }));
    for (const event of burst) journal.record([event]);
    await journal.flush();
    expect(readBatchSizes(spec.id).at(-1)).toBe(450);
    expect(Number(gitOut('rev-list', '--count', rolloutRef).trim())).toBe(commits + 1);
    all.push(...burst);

    // A few events wait for the timer, which asked for 250 ms.
    journal.record([{ kind: 'ignored', at: state.updatedAt, input: '{}', reason: 'one' }]);
    journal.record([{ kind: 'ignored', at: state.updatedAt, input: '{}', reason: 'two' }]);
    expect(timer.pending.map((entry) => entry.ms)).toEqual([250]);
    expect(journal.waiting).toBe(2);
    timer.runAll();
    await journal.flush();
    expect(Number(gitOut('rev-list', '--count', rolloutRef).trim())).toBe(commits + 2);

    // Each commit adds one batch file and rewrites none; the last also says no rollout is in progress.
    const history = gitOut('rev-list', '--reverse', rolloutRef).trim().split('\n');
    for (const [i, commit] of history.entries()) {
      const changes = gitOut('diff-tree', '-r', '--no-commit-id', '--name-status', '--root', commit).trim().split('\n');
      expect(changes.filter((line) => line.includes('/events/'))).toEqual([`A\trollouts/${spec.id}/events/${String(i + 1).padStart(8, '0')}.jsonl`]);
    }
    const read = await readRolloutJournal(root, spec.id);
    expect(read.events).toHaveLength(all.length + 3); // started, the run, two notes
    expect(read.events.slice(1, -2)).toEqual(all);
    expect(state.status).toBe('completed-with-failures');
    expect(JSON.parse(gitOut('show', `${rolloutRef}:current.json`))).toEqual({ rollout: null, last: spec.id });
    gitOut('fsck', '--strict');
    await journal.close();
  });

  it('resumes a gateway killed mid-rollout exactly where its journal stood, and ends where an uninterrupted run ends', async () => {
    const spec = makeSpec(30);
    const { inputs, states } = playScript(spec);
    const final = states.at(-1);
    expect(final.status).toBe('completed-with-failures');

    // Several kills, at arbitrary points, each after flushes at arbitrary points.
    for (const [n, kill] of [37, 95, 160, 161, inputs.length - 3].entries()) {
      const id = `r-0123abcd-${n + 2}`;
      const run = { ...spec, id };
      const journal = await RolloutJournal.create(root, run, { schedule: new ManualSchedule().schedule, batchSize: 10_000 });
      let state = startRollout(run);
      let flushedAt = -1;
      for (let i = 0; i < kill; i++) {
        const step = stepRollout(state, inputs[i] as RolloutInput);
        state = step.state;
        journal.record(step.events);
        if ((i * 7 + n) % 23 === 0) {
          await journal.flush();
          flushedAt = i;
        }
      }
      // Killed: the journal object is dropped with its unflushed batch, its timer never runs.
      const resumed = await resumeRollout(root);
      expect(resumed).toEqual(flushedAt < 0 ? startRollout(run) : { ...(states[flushedAt] as RolloutState), spec: run });
      if (resumed === undefined) throw new Error('no rollout in progress');
      expect(resumeActions(resumed)).toEqual(resumed.boards.filter((b) => b.state === 'offered').map((b) => ({ kind: 'offer', board: b.board })));

      // The restarted gateway reopens the journal and is fed again from where it stood.
      const reopened = await RolloutJournal.reopen(root, id);
      let again = resumed;
      for (const input of inputs.slice(flushedAt + 1)) {
        const step = stepRollout(again, input);
        again = step.state;
        reopened.record(step.events);
      }
      await reopened.close();
      expect(again).toEqual({ ...final, spec: run });
      const read = await readRolloutJournal(root, id);
      expect(replayRollout(read.spec, read.events)).toEqual(again);
      expect(await resumeRollout(root)).toBeUndefined(); // it ended: current.json names none
    }
    gitOut('fsck', '--strict');
  });

  it('is readable with system git: messages a person understands, events as JSON lines', async () => {
    const spec = makeSpec(30);
    const journal = await RolloutJournal.create(root, spec, { schedule: new ManualSchedule().schedule, batchSize: 40 });
    let state = startRollout(spec);
    for (const input of playScript(spec).inputs) {
      const step = stepRollout(state, input);
      state = step.state;
      journal.record(step.events);
    }
    await journal.close();
    const log = gitOut('log', '--format=%B', rolloutRef);
    expect(log).toContain('wave 2 of 4 started (2 boards)');
    expect(log).toContain('b07 reverted: self-test failed');
    expect(log).toMatch(/\d+ boards committed/);
    expect(log).toContain('completed; the boards that failed kept their old image');
    expect(gitOut('log', '-1', '--format=%an <%ae>', rolloutRef).trim()).toBe('osmose gateway <gateway@osmose.invalid>');

    const first = gitOut('cat-file', '-p', `${rolloutRef}:rollouts/${spec.id}/events/00000001.jsonl`).trim().split('\n');
    expect(first.map((line) => JSON.parse(line) as JournalEvent)).toEqual([{ kind: 'started', at: spec.startedAt, rollout: spec.id, build: spec.build, targets: 30, waves: 4 }]);
    expect(gitOut('cat-file', '-t', `${rolloutRef}:rollouts/${spec.id}/events`).trim()).toBe('tree');
    gitOut('fsck', '--strict');
  });

  it('refuses a second rollout while one is in progress, and a rollout id used before', async () => {
    const one = makeSpec(3);
    const journal = await RolloutJournal.create(root, one);
    const other = await RolloutJournal.create(root, makeSpec(3, 'r-0123abcd-2')).catch((error: unknown) => error);
    expect(isOsmoseError(other) && other.code).toBe('rollout.in-progress');
    journal.record([{ kind: 'status', at: one.startedAt, from: 'running', on: 'abort', to: 'aborted', reason: 'aborted by the operator' }]);
    await journal.close();
    const again = await RolloutJournal.create(root, one).catch((error: unknown) => error);
    expect(isOsmoseError(again) && again.code).toBe('rollout.exists');
    await (await RolloutJournal.create(root, makeSpec(3, 'r-0123abcd-2'))).close();
    expect(gitOut('show', `${rolloutRef}:current.json`).trim()).toBe('{"rollout":"r-0123abcd-2"}');
  });
});

describe('rolloutHistory and listRollouts', () => {
  it('say which board ran which image when, and why a revert happened', async () => {
    const spec = makeSpec(30);
    const journal = await RolloutJournal.create(root, spec);
    let state = startRollout(spec);
    for (const input of playScript(spec).inputs) {
      const step = stepRollout(state, input);
      state = step.state;
      journal.record(step.events);
    }
    await journal.close();

    const b07 = await rolloutHistory(root, { board: 'b07' });
    expect(b07.map((entry) => entry.text)).toEqual([
      'b07: online, running sha256:old',
      expect.stringMatching(/^wave \d of 4 started: /),
      'b07: pending → offered',
      'b07: accepted while offered',
      'b07: offered → downloading (4096 bytes)',
      'b07: downloading → downloaded (8192 bytes)',
      'b07: downloaded → installed',
      'b07: installed → reverted: self-test failed',
    ]);
    const b13 = await rolloutHistory(root, { rollout: spec.id, board: 'b13' });
    expect(b13.map((entry) => entry.text)).toContain('b13: deferred → offered');
    expect(b13[0]?.text).toBe('b13: offline, running sha256:old');
    expect(b13.find((entry) => entry.text === 'b13: healthy → committed')).toBeDefined();
    const all = await rolloutHistory(root, { withoutIgnored: true });
    expect(all.some((entry) => entry.event.kind === 'ignored')).toBe(false);
    expect(all[0]?.text).toBe('rollout r-0123abcd-1 started: build 0123abcd0123, 30 boards, 4 waves');

    const [listing] = await listRollouts(root);
    expect(listing?.summary).toMatchObject({ rollout: spec.id, status: 'completed-with-failures', total: 30, failures: [{ board: 'b07', reason: 'self-test failed' }] });
    expect(listing?.summary.boards).toMatchObject({ committed: 28, unchanged: 1, reverted: 1 });
  });

  it('are empty before the first rollout, and name an unknown rollout', async () => {
    expect(await rolloutHistory(root)).toEqual([]);
    expect(await listRollouts(root)).toEqual([]);
    expect(await resumeRollout(root)).toBeUndefined();
    await (await RolloutJournal.create(root, makeSpec(2))).close();
    const error = await rolloutHistory(root, { rollout: 'r-0123abcd-9' }).catch((e: unknown) => e);
    expect(isOsmoseError(error) && error.code).toBe('rollout.unknown');
    expect((error as Error).message).toContain('Did you mean "r-0123abcd-1"');
  });
});
