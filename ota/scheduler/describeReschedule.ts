import type { RescheduleRecord } from './RescheduleRecord.js';

/** One line for a reschedule, as `osmose status` and `osmose schedule` show it. */
export function describeReschedule(record: RescheduleRecord): string {
  const cause = record.cause;
  const what = cause.kind === 'topology' ? `${cause.files.join(', ')} changed` : cause.kind === 'lost' ? `${cause.board} lost` : `${cause.board} back`;
  const seconds = (ms: number | null): string => `${((ms ?? 0) / 1000).toFixed(2)} s`;
  const outcome =
    record.status === 'restored'
      ? `restored in ${seconds(record.restoreMs)}${record.detectionMs === null ? '' : ` (found lost ${seconds(record.detectionMs)} after its last heartbeat)`}`
      : `${record.status}${record.reason === null ? '' : `: ${record.reason}`}`;
  const moved = (record.schedule?.moved ?? []).map((move) => `${move.instance} → ${move.to}`);
  const targets = record.targets.length === 0 ? '' : `; rolled out to ${record.targets.join(', ')}`;
  return `${record.detectedAt}  ${what}: ${outcome}${moved.length === 0 ? '' : `; moved ${moved.join(', ')}`}${targets}`;
}
