import { isOsmoseError } from '../../../lib/OsmoseError.js';
import { writeLedgerCommit, type ExistingBlob } from '../../ledger/writeLedgerCommit.js';
import type { DownBoard } from '../PlanSchedule.js';
import { readSchedule, type Schedule } from './readSchedule.js';
import { downFileFormat, scheduleLayout, scheduleRef } from './scheduleLayout.js';

/** What one commit changes: a new down set, files added or replaced, and why. */
export interface ScheduleChange {
  readonly down?: readonly DownBoard[];
  /** Path → content, such as `reschedules/<id>.json`. */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  readonly message: string;
}

/** What updateSchedule did: the commit it made, or that it made none. */
export interface ScheduleUpdate {
  /** The ref's commit after the update; undefined when `edit` changed nothing and there was none. */
  readonly commit: string | undefined;
  readonly created: boolean;
  /** The schedule `edit` was given, the last time it ran. */
  readonly before: Schedule;
}

const author = { name: 'osmose scheduler', email: 'scheduler@osmose.invalid' };
const attempts = 50;

/**
 * Changes refs/osmose/schedule by one commit: `edit` reads the schedule as it stands and says
 * what to change (undefined: nothing). The gateway's scheduler and `osmose schedule` may both
 * write it; when the other got there first, the ref refuses this commit and `edit` runs again
 * on what the other wrote, so neither change is lost. Files the change does not name are kept.
 */
export async function updateSchedule(root: string, edit: (schedule: Schedule) => ScheduleChange | undefined, at: Date = new Date()): Promise<ScheduleUpdate> {
  for (let attempt = 1; ; attempt++) {
    const before = await readSchedule(root);
    const change = edit(before);
    if (change === undefined) return { commit: before.commit, created: false, before };
    const files = new Map<string, Uint8Array | ExistingBlob>([...before.files].map(([path, oid]) => [path, { oid }]));
    if (change.down !== undefined) files.set(scheduleLayout.down, new TextEncoder().encode(`${JSON.stringify({ format: downFileFormat, boards: change.down }, null, 2)}\n`));
    for (const [path, bytes] of change.files ?? []) files.set(path, bytes);
    try {
      const written = await writeLedgerCommit({ root, files, message: change.message, author, timestamp: Math.floor(at.getTime() / 1000), ref: scheduleRef });
      return { commit: written.commit, created: written.created, before };
    } catch (error) {
      if (!isOsmoseError(error) || error.code !== 'ledger.ref-moved' || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}
