import fs from 'node:fs';
import git from 'isomorphic-git';
import { readSchedule } from '../../builder/plan/schedule/readSchedule.js';
import { scheduleLayout } from '../../builder/plan/schedule/scheduleLayout.js';
import type { RescheduleRecord } from './RescheduleRecord.js';

/** Every reschedule recorded on refs/osmose/schedule, oldest first (by when it was detected). */
export async function readReschedules(root: string): Promise<RescheduleRecord[]> {
  const schedule = await readSchedule(root);
  const records: RescheduleRecord[] = [];
  for (const [path, oid] of schedule.files) {
    if (!path.startsWith(`${scheduleLayout.reschedules}/`) || !path.endsWith('.json')) continue;
    const text = new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob);
    records.push(JSON.parse(text) as RescheduleRecord);
  }
  return records.sort((a, b) => (a.detectedAt < b.detectedAt ? -1 : a.detectedAt > b.detectedAt ? 1 : a.id < b.id ? -1 : 1));
}
