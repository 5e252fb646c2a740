import { weekdays, type MaintenanceWindow, type Weekday } from './RolloutSpec.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `at` in `timezone`, as a wall clock in the building reads. */
export function localTime(at: Date, timezone: string): { readonly day: Weekday; readonly minute: number } {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = weekdays.find((name) => name === part('weekday'));
  if (day === undefined) throw new Error(`Intl gave no weekday for ${at.toISOString()} in ${timezone}`);
  return { day, minute: (Number(part('hour')) % 24) * 60 + Number(part('minute')) };
}

/**
 * Whether `at` falls inside one of the windows, read on the building's wall clock (so a
 * window follows daylight saving time). No windows means always. A window that crosses
 * midnight belongs to the day it starts on: `Fri 22:00-06:00` is open early on Saturday.
 */
export function insideWindow(windows: readonly MaintenanceWindow[], timezone: string, at: Date): boolean {
  if (windows.length === 0) return true;
  const { day, minute } = localTime(at, timezone);
  const yesterday = weekdays[(weekdays.indexOf(day) + 6) % 7] as Weekday;
  return windows.some((window) => {
    if (window.end > window.start) return window.days.includes(day) && minute >= window.start && minute < window.end;
    return (window.days.includes(day) && minute >= window.start) || (window.days.includes(yesterday) && minute < window.end);
  });
}
