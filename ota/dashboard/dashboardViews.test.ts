import { describe, expect, it } from 'vitest';
import type { PlannedBoard } from '../../builder/plan/BuildPlan.js';
import type { BoardRecord } from '../gateway/BoardRecord.js';
import { parseRolloutOptions } from '../rollout/parseRolloutOptions.js';
import type { RolloutInput } from '../rollout/RolloutInput.js';
import type { RolloutSpec } from '../rollout/RolloutSpec.js';
import type { BoardRollout, RolloutState } from '../rollout/RolloutState.js';
import { startRollout } from '../rollout/startRollout.js';
import { stepRollout } from '../rollout/stepRollout.js';
import { boardHealth } from './boardHealth.js';
import { dashboardRollouts } from './dashboardRollouts.js';
import { spaceTree } from './dashboardOverview.js';

const record: BoardRecord = { board: 'door', type: 'sim', online: true, image: 'sha256:old', version: 1, slot: 'a', confirmed: true, agentState: 'idle', running: true, stops: 0, busy: false, lastHeartbeat: '2026-01-01T00:00:00.000Z', heartbeats: 3, missed: 0, lastEvent: null };
const inRollout = (state: BoardRollout['state'], reason: string | null = null): BoardRollout => ({ board: 'door', space: 'room', target: 'sha256:new', version: 2, state, wave: 1, reason, since: '2026-01-01T00:00:00.000Z', seen: true, online: true, busy: false, running: 'sha256:old', offeredAt: null, bytes: 0 });

describe('boardHealth', () => {
  it("puts a rollout's verdict first, then whether the board runs, then its slot", () => {
    expect(boardHealth(record, undefined)).toEqual({ health: 'healthy', healthText: 'running, confirmed' });
    expect(boardHealth({ ...record, confirmed: false, agentState: 'trial' }, undefined).health).toBe('trial');
    expect(boardHealth(record, inRollout('downloading')).health).toBe('updating');
    expect(boardHealth({ ...record, running: false, stops: 2 }, inRollout('downloading'))).toEqual({ health: 'stopped', healthText: 'unikernel stopped (2 stops)' });
    expect(boardHealth({ ...record, online: false }, undefined).healthText).toBe('offline since 2026-01-01T00:00:00.000Z');
    expect(boardHealth({ ...record, online: false }, inRollout('reverted', 'self-test failed'))).toEqual({ health: 'reverted', healthText: 'reverted: self-test failed' });
    expect(boardHealth(record, inRollout('failed', 'no heartbeat within 30s'))).toEqual({ health: 'failed', healthText: 'update failed: no heartbeat within 30s' });
    // A board the rollout left alone, or finished with, is judged by itself.
    expect(boardHealth(record, inRollout('committed')).health).toBe('healthy');
  });
});

describe('spaceTree', () => {
  const board = (id: string, space: readonly string[], name: string, kind: string): PlannedBoard => ({ id, type: 'sim', space, place: { name, kind }, devices: {}, fragments: [], circuits: [], address: '' });
  it('nests the spaces that hold boards in document order, naming the innermost', () => {
    const tree = spaceTree([board('a', ['ground', 'hall'], 'Hall', 'entrance'), board('b', ['first', 'room-1'], 'Room 1', 'room'), board('c', ['ground', 'hall'], 'Hall', 'entrance'), board('d', ['ground'], 'Ground floor', 'floor')]);
    expect(tree.map((space) => space.id)).toEqual(['ground', 'first']);
    expect(tree[0]).toEqual({ id: 'ground', name: 'Ground floor', kind: 'floor', boards: ['d'], spaces: [{ id: 'hall', name: 'Hall', kind: 'entrance', boards: ['a', 'c'], spaces: [] }] });
    expect(tree[1]?.name).toBe('first');
    expect(tree[1]?.spaces[0]?.boards).toEqual(['b']);
  });
});

describe('dashboardRollouts', () => {
  const spec: RolloutSpec = {
    id: 'r-1',
    build: 'c'.repeat(40),
    startedAt: '2026-01-05T12:00:00.000Z',
    ...parseRolloutOptions({ waves: '1,50%,100%', maxFailures: '0', healthTimeout: '30s' }),
    targets: Array.from({ length: 5 }, (_, i) => ({ board: `b${i}`, space: `room-${i}`, image: 'sha256:new', version: 2 })),
  };
  const run = (inputs: readonly object[]): RolloutState => {
    let state = startRollout(spec);
    inputs.forEach((input, i) => {
      state = stepRollout(state, { ...input, at: new Date(Date.parse(spec.startedAt) + (i + 1) * 1000).toISOString() } as RolloutInput).state;
    });
    return state;
  };

  it('groups the boards by wave with the share each wave is done with', () => {
    const seen = spec.targets.map((target) => ({ kind: 'seen', board: target.board, online: true, image: target.board === 'b4' ? 'sha256:new' : 'sha256:old' }));
    const first = run([...seen, { kind: 'tick' }]);
    const canary = first.boards.find((board) => board.state === 'offered')?.board ?? '';
    const state = run([...seen, { kind: 'tick' }, { kind: 'progress', board: canary, step: 'healthy' }, { kind: 'tick' }]);
    const view = dashboardRollouts(state, []);
    expect(view.current?.spec.waves).toEqual(['1', '50%', '100%']);
    expect(view.current?.spec.maxFailures).toBe('0');
    const [wave1, wave2] = view.current?.waves ?? [];
    expect(wave1?.boards.map((board) => board.board)).toEqual([canary]);
    expect(wave1).toMatchObject({ wave: 1, done: 1, percent: 100 });
    expect(wave2?.boards.length).toBeGreaterThan(0);
    expect(wave2?.percent).toBe(0);
    // b4 already ran the target: done from the start, in no wave.
    expect(view.current?.waiting.map((board) => board.board)).not.toContain('b4');
    expect(view.current?.percent).toBe(Math.floor((200) / 5));
  });

  it('lists earlier rollouts newest first, without the current one', () => {
    const older = { ...startRollout({ ...spec, id: 'r-0' }) };
    const current = startRollout(spec);
    const view = dashboardRollouts(current, [current, older]);
    expect(view.past.map((entry) => entry.rollout)).toEqual(['r-0']);
    expect(dashboardRollouts(undefined, [current]).current).toBeNull();
  });
});
