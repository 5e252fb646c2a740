import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOsmoseError } from '../../../lib/OsmoseError.js';
import { ledgerHead } from '../../ledger/ledgerHead.js';
import type { DownBoard } from '../PlanSchedule.js';
import { readSchedule } from './readSchedule.js';
import { scheduleLayout, scheduleRef } from './scheduleLayout.js';
import { updateSchedule } from './updateSchedule.js';

let root: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-schedule-'));
  await git.init({ fs, dir: root, defaultBranch: 'main' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const lamp: DownBoard = { board: 'r1-lamp', since: '2026-01-05T10:00:00.000Z', why: 'no heartbeat for 3 intervals', returned: null };
const door: DownBoard = { board: 'r1-door', since: '2026-01-05T10:01:00.000Z', why: 'taken down by the operator', returned: null };

describe('the schedule on refs/osmose/schedule', () => {
  it('reads as nothing out of service before anything was written', async () => {
    expect(await readSchedule(root)).toEqual({ commit: undefined, down: [], files: new Map() });
  });

  it('records the down set and records beside it as commits system git reads, apart from the builds ledger', async () => {
    const first = await updateSchedule(root, () => ({ down: [lamp], message: 'r1-lamp is down\n' }));
    expect(first.created).toBe(true);
    const record = new TextEncoder().encode('{"id":"s-1"}\n');
    const second = await updateSchedule(root, (schedule) => ({ files: new Map([[scheduleLayout.reschedule('s-1'), record]]), message: `reschedule s-1 (${schedule.down.length} down)\n` }));
    expect(gitOut('rev-parse', scheduleRef).trim()).toBe(second.commit);
    expect(JSON.parse(gitOut('show', `${scheduleRef}:down.json`))).toEqual({ format: 1, boards: [lamp] });
    expect(gitOut('show', `${scheduleRef}:reschedules/s-1.json`)).toBe('{"id":"s-1"}\n');
    expect(gitOut('log', '--format=%s', scheduleRef).trim().split('\n')).toEqual(['reschedule s-1 (1 down)', 'r1-lamp is down']);
    gitOut('fsck', '--strict');
    // The builds' ledger is another ref: untouched.
    expect(await ledgerHead(root)).toBeUndefined();
    const read = await readSchedule(root);
    expect(read.down).toEqual([lamp]);
    expect([...read.files.keys()].sort()).toEqual(['down.json', 'reschedules/s-1.json']);
  });

  it('makes no commit when the edit changes nothing', async () => {
    await updateSchedule(root, () => ({ down: [lamp], message: 'down\n' }));
    const again = await updateSchedule(root, () => ({ down: [lamp], message: 'down again\n' }));
    expect(again.created).toBe(false);
    expect((await updateSchedule(root, () => undefined)).created).toBe(false);
    expect(gitOut('rev-list', '--count', scheduleRef).trim()).toBe('1');
  });

  it('loses neither of two writers at once: the second edits what the first wrote', async () => {
    await Promise.all([
      updateSchedule(root, (schedule) => ({ down: [...schedule.down, lamp], message: 'lamp\n' })),
      updateSchedule(root, (schedule) => ({ down: [...schedule.down, door], message: 'door\n' })),
    ]);
    expect((await readSchedule(root)).down.map((entry) => entry.board).sort()).toEqual(['r1-door', 'r1-lamp']);
  });

  it('refuses a down.json it cannot read rather than plan as if every board were up', async () => {
    await updateSchedule(root, () => ({ files: new Map([[scheduleLayout.down, new TextEncoder().encode('{"format":2,"boards":[]}\n')]]), message: 'from the future\n' }));
    const error = await readSchedule(root).catch((caught: unknown) => caught);
    expect(isOsmoseError(error) && error.code).toBe('schedule.corrupt');
  });
});
