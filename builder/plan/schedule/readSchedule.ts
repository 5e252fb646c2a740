import fs from 'node:fs';
import git from 'isomorphic-git';
import { OsmoseError } from '../../../lib/OsmoseError.js';
import { treeFiles } from '../../ledger/treeFiles.js';
import type { DownBoard } from '../PlanSchedule.js';
import { downFileFormat, scheduleLayout, scheduleRef } from './scheduleLayout.js';

/** The schedule as its ref holds it. */
export interface Schedule {
  /** The ref's commit; undefined before anything was scheduled. */
  readonly commit: string | undefined;
  /** The boards out of service, in the order they were taken out. */
  readonly down: readonly DownBoard[];
  /** Every file of the commit's tree: path → blob id (the next commit keeps those it does not replace). */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Reads refs/osmose/schedule: no ref reads as nothing out of service. A down.json that is not
 * the format this osmose writes is refused (`schedule.corrupt`) rather than read as empty:
 * planning as if every board were up would move fragments back onto dead boards.
 */
export async function readSchedule(root: string): Promise<Schedule> {
  let commit: string;
  try {
    commit = await git.resolveRef({ fs, dir: root, ref: scheduleRef });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return { commit: undefined, down: [], files: new Map() };
    throw error;
  }
  const files = await treeFiles(root, commit);
  const oid = files.get(scheduleLayout.down);
  if (oid === undefined) return { commit, down: [], files };
  const text = new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob);
  return { commit, down: parseDownFile(text, commit), files };
}

function parseDownFile(text: string, commit: string): DownBoard[] {
  const corrupt = (what: string): OsmoseError =>
    new OsmoseError('schedule.corrupt', `${scheduleRef} ${commit.slice(0, 12)}: ${scheduleLayout.down} ${what}`, {
      hint: `see git show ${scheduleRef}:${scheduleLayout.down}; osmose schedule restore BOARD rewrites it`,
      data: { commit },
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('is not JSON');
  }
  const file = value as { format?: unknown; boards?: unknown };
  if (file.format !== downFileFormat) throw corrupt(`is format ${JSON.stringify(file.format)}, not ${downFileFormat}: a newer osmose wrote it`);
  if (!Array.isArray(file.boards)) throw corrupt('has no list of boards');
  return file.boards.map((entry: unknown, i): DownBoard => {
    const { board, since, why, returned } = (entry ?? {}) as Record<string, unknown>;
    if (typeof board !== 'string' || typeof since !== 'string' || typeof why !== 'string' || !(returned === null || typeof returned === 'string')) {
      throw corrupt(`boards[${i}] is not { board, since, why, returned }`);
    }
    return { board, since, why, returned };
  });
}
