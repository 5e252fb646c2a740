import type { HealthSample } from '../DashboardApi.js';
import type { Tone } from './healthLook.js';

/** One heartbeat as the health strip draws it. */
export interface HistoryMark {
  readonly at: string;
  readonly tone: Tone;
  /** What the mark means, in words (its tooltip, and the table's row). */
  readonly text: string;
}

/** A board's health history in words and marks: the words for everyone, the marks for a glance. */
export interface HistorySummary {
  /** "120 heartbeats, 0 missed, 0 stops" over the samples the gateway kept. */
  readonly text: string;
  readonly marks: readonly HistoryMark[];
}

/**
 * Reads the heartbeats the dashboard kept. `missed` and `stops` are running totals on each
 * sample, so the history's share is the last sample's less the first's; a mark turns bad when
 * the unikernel stopped since the sample before it, or was not running.
 */
export function historySummary(history: readonly HealthSample[]): HistorySummary {
  const first = history[0];
  const last = history.at(-1);
  const missed = first === undefined || last === undefined ? 0 : Math.max(0, last.missed - first.missed);
  const stops = first === undefined || last === undefined ? 0 : Math.max(0, last.stops - first.stops);
  const marks = history.map((sample, index): HistoryMark => {
    const before = history[index - 1];
    const stopped = before !== undefined && sample.stops > before.stops;
    const missedNow = before !== undefined && sample.missed > before.missed;
    if (!sample.online) return { at: sample.at, tone: 'muted', text: 'offline' };
    if (!sample.running || stopped) return { at: sample.at, tone: 'bad', text: `${sample.running ? 'restarted after a stop' : 'not running'}, ${sample.agentState}` };
    if (missedNow) return { at: sample.at, tone: 'warn', text: `heartbeats missed before this one, ${sample.agentState}` };
    return { at: sample.at, tone: 'ok', text: `running, ${sample.agentState}` };
  });
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return { text: `${plural(history.length, 'heartbeat')}, ${missed} missed, ${plural(stops, 'stop')}`, marks };
}
