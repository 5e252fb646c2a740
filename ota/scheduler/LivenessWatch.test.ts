import { describe, expect, it } from 'vitest';
import type { BoardLink, BoardRecord } from '../gateway/GatewayFleet.js';
import { LivenessWatch, type LostBoard, type ReturnedBoard } from './LivenessWatch.js';

/** Time that moves only when the test says: timers fire in order as it passes them. */
function manualTime(): { schedule: (run: () => void, ms: number) => () => void; advance: (ms: number) => void; stall: (ms: number) => void; now: () => Date; pending: () => number } {
  let at = Date.parse('2026-01-05T10:00:00.000Z');
  let timers: { due: number; run: () => void }[] = [];
  return {
    schedule: (run, ms) => {
      const timer = { due: at + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((candidate) => candidate !== timer);
      };
    },
    advance: (ms) => {
      const end = at + ms;
      for (;;) {
        const next = timers.filter((timer) => timer.due <= end).sort((a, b) => a.due - b.due)[0];
        if (next === undefined) break;
        timers = timers.filter((timer) => timer !== next);
        at = Math.max(at, next.due);
        next.run();
      }
      at = end;
    },
    // The process was busy: time passes and no timer fires; the next advance fires them late.
    stall: (ms) => {
      at += ms;
    },
    now: () => new Date(at),
    pending: () => timers.length,
  };
}

const record = (board: string, agentState = 'idle'): BoardRecord => ({ board, type: 'sim', online: true, image: 'i', version: 1, slot: 'a', confirmed: true, agentState, running: true, stops: 0, busy: false, lastHeartbeat: null, heartbeats: 0, missed: 0, lastEvent: null });

function setup(lost: readonly string[] = []): { watch: LivenessWatch; time: ReturnType<typeof manualTime>; losses: LostBoard[]; returns: ReturnedBoard[]; link: (board: string, kind: BoardLink['kind'], agentState?: string) => void } {
  const time = manualTime();
  const losses: LostBoard[] = [];
  const returns: ReturnedBoard[] = [];
  const watch = new LivenessWatch({
    lostAfter: 3,
    intervalOf: (r) => (r.agentState === 'trial' ? 100 : 1_000),
    onLost: (l) => losses.push(l),
    onReturned: (r) => returns.push(r),
    lost,
    schedule: time.schedule,
    now: time.now,
  });
  const link = (board: string, kind: BoardLink['kind'], agentState?: string): void => watch.link({ kind, board, at: time.now().toISOString(), record: record(board, agentState) });
  return { watch, time, losses, returns, link };
}

describe('LivenessWatch', () => {
  it('finds a board lost once N of its intervals pass without a heartbeat, and not before', () => {
    const { time, losses, link, watch } = setup();
    link('lamp', 'enrolled');
    for (let i = 0; i < 5; i++) {
      time.advance(2_900);
      link('lamp', 'heartbeat');
    }
    expect(losses).toEqual([]);
    time.advance(2_999);
    expect(losses).toEqual([]);
    time.advance(1);
    expect(losses).toHaveLength(1);
    expect(losses[0]).toMatchObject({ board: 'lamp', at: '2026-01-05T10:00:17.500Z', lastHeard: '2026-01-05T10:00:14.500Z', intervalMs: 1_000, lostAfter: 3 });
    expect(losses[0]?.why).toContain('no heartbeat for 3 heartbeat intervals of 1000 ms');
    expect(watch.state('lamp')).toBe('lost');
    // Lost once: time passing reports nothing more.
    time.advance(60_000);
    expect(losses).toHaveLength(1);
  });

  it('holds a board on trial to its trial pace', () => {
    const { time, losses, link } = setup();
    link('spare', 'heartbeat', 'trial');
    time.advance(300);
    expect(losses.map((l) => l.board)).toEqual(['spare']);
    expect(losses[0]?.intervalMs).toBe(100);
  });

  it('gives a dropped session N intervals from the drop to come back, and forgives one that does', () => {
    const { time, losses, link, watch } = setup();
    link('door', 'enrolled');
    time.advance(2_000);
    link('door', 'gone');
    expect(watch.state('door')).toBe('silent');
    time.advance(2_500);
    link('door', 'enrolled');
    expect(watch.state('door')).toBe('up');
    time.advance(2_999);
    expect(losses).toEqual([]);
    link('door', 'gone');
    time.advance(3_000);
    expect(losses.map((l) => l.board)).toEqual(['door']);
    expect(losses[0]?.why).toContain('its connection dropped at 2026-01-05T10:00:07.499Z and it did not come back within 3 heartbeat intervals');
  });

  it('reports a lost board back when it beats again, and watches it afresh', () => {
    const { time, losses, returns, link } = setup();
    link('lamp', 'enrolled');
    time.advance(3_000);
    link('lamp', 'gone');
    time.advance(10_000);
    link('lamp', 'enrolled');
    expect(returns).toEqual([{ board: 'lamp', at: '2026-01-05T10:00:13.000Z' }]);
    time.advance(3_000);
    expect(losses).toHaveLength(2);
  });

  it('takes boards the schedule has down as lost from the start: their first enrolment is a return', () => {
    const { returns, link, watch } = setup(['lamp']);
    expect(watch.state('lamp')).toBe('lost');
    link('door', 'enrolled');
    link('lamp', 'enrolled');
    expect(returns.map((r) => r.board)).toEqual(['lamp']);
  });

  it('does not judge a board by the gateway\'s own stall: a deadline that comes late gives it one more interval', () => {
    const { time, losses, link } = setup();
    link('door', 'enrolled');
    time.advance(1_000);
    // The gateway is busy for 5 s; the door's heartbeats wait unread, and its deadline fires late.
    time.stall(5_000);
    time.advance(0);
    expect(losses).toEqual([]);
    link('door', 'heartbeat');
    time.advance(2_999);
    expect(losses).toEqual([]);
    // A board really gone is still found: one interval after the late deadline, if nothing came.
    const { time: time2, losses: losses2, link: link2 } = setup();
    link2('lamp', 'enrolled');
    time2.stall(5_000);
    time2.advance(0);
    expect(losses2).toEqual([]);
    time2.advance(1_000);
    expect(losses2.map((l) => l.board)).toEqual(['lamp']);
  });

  it('reports nothing once closed', () => {
    const { time, losses, link, watch } = setup();
    link('lamp', 'enrolled');
    watch.close();
    time.advance(10_000);
    expect(losses).toEqual([]);
    expect(time.pending()).toBe(0);
  });
});
