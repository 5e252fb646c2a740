import type { RolloutSummary } from './rolloutSummary.js';

/**
 * One line for a terminal progress display, redrawn in place:
 * `r-1a2b3c4d-1 running · wave 2/4 · 37/100 done · 5 in flight · 2 deferred · 1/3 failed · 12.4 MB`.
 */
export function renderRolloutLine(summary: RolloutSummary): string {
  const b = summary.boards;
  const inFlight = b.offered + b.downloading + b.downloaded + b.installed;
  const parts = [
    `${summary.rollout} ${summary.status}`,
    summary.wave.allPassed ? `all ${summary.wave.of} waves passed` : `wave ${summary.wave.current}/${summary.wave.of}`,
    `${summary.done}/${summary.total} done (${b.committed} committed, ${b.unchanged} unchanged)`,
  ];
  if (inFlight > 0) parts.push(`${inFlight} in flight`);
  if (b.healthy > 0) parts.push(`${b.healthy} healthy, awaiting the gate`);
  if (b.deferred > 0) parts.push(`${b.deferred} deferred`);
  if (b.pending > 0) parts.push(`${b.pending} pending`);
  parts.push(`${summary.failures.length} failed (limit ${summary.maxFailures})`);
  if (summary.bytes > 0) parts.push(formatBytes(summary.bytes));
  if (summary.reason !== null) parts.push(summary.reason);
  return parts.join(' · ');
}

function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
