/**
 * A time for people, in the browser's locale and zone: ISO strings and seconds since the
 * epoch (the ledger's commit times) both come in. An unreadable time is shown as it came.
 */
export function formatTime(time: string | number): string {
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
