import { InputError } from '../../lib/OsmoseError.js';
import { weekdays, type MaintenanceWindow, type Weekday } from './RolloutSpec.js';

const example = '--window "Mon-Fri 22:00-06:00" or --window "Sat,Sun 00:00-24:00"';

/**
 * `--window "[DAYS ]HH:MM-HH:MM"`: days as `Mon`, `Mon-Fri` (wrapping, `Fri-Mon`) or a list
 * `Sat,Sun`; every day when left out. An end at or before the start crosses midnight
 * (`22:00-06:00`); `24:00` is the end of the day.
 */
export function parseWindow(text: string): MaintenanceWindow {
  const bad = (why: string): InputError =>
    new InputError('rollout.bad-window', `--window ${JSON.stringify(text)}: ${why}`, { hint: `give days and hours in the building's time zone, such as ${example}`, data: { option: '--window', value: text } });
  const match = /^\s*(?:([A-Za-z,\s-]+?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (match === null) throw bad('it is not [DAYS] HH:MM-HH:MM');
  const [, dayText, h1, m1, h2, m2] = match;
  const start = minutes(Number(h1), Number(m1), false);
  const end = minutes(Number(h2), Number(m2), true);
  if (start === undefined) throw bad(`${h1}:${m1} is not a time of day`);
  if (end === undefined) throw bad(`${h2}:${m2} is not a time of day`);
  if (start === end) throw bad('the window starts when it ends: write 00:00-24:00 for a whole day');
  return { days: dayText === undefined ? [...weekdays] : parseDays(dayText, bad), start, end };
}

const dayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function minutes(hours: number, mins: number, end: boolean): number | undefined {
  if (mins > 59) return undefined;
  if (hours === 24 && mins === 0 && end) return 24 * 60;
  if (hours > 23) return undefined;
  return hours * 60 + mins;
}

function parseDays(text: string, bad: (why: string) => InputError): Weekday[] {
  const days = new Set<Weekday>();
  const day = (name: string): Weekday => {
    const wanted = name.trim().toLowerCase();
    const found = weekdays.find((d, i) => d.toLowerCase() === wanted || dayNames[i] === wanted);
    if (found === undefined) throw bad(`${JSON.stringify(name.trim())} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)`);
    return found;
  };
  for (const part of text.split(',')) {
    if (part.trim() === '') throw bad('a day is missing between commas');
    const range = part.split('-');
    if (range.length > 2) throw bad(`${part.trim()} is not a day or a range of days`);
    const first = weekdays.indexOf(day(range[0] ?? ''));
    const last = weekdays.indexOf(day(range[1] ?? range[0] ?? ''));
    for (let i = first; ; i = (i + 1) % 7) {
      days.add(weekdays[i] as Weekday);
      if (i === last) break;
    }
  }
  return weekdays.filter((d) => days.has(d));
}

/** `Mon-Fri 22:00-06:00`: a window as the operator writes it. */
export function formatWindow(window: MaintenanceWindow): string {
  const time = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const days = window.days.length === 7 ? '' : `${window.days.join(',')} `;
  return `${days}${time(window.start)}-${time(window.end)}`;
}
