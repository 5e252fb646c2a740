import { InputError } from '../../lib/OsmoseError.js';

/**
 * `--lost-after N`: a whole number of heartbeat intervals, 1 to 100. One interval is already
 * hasty (a heartbeat held up by a busy network is a failover); three is the usual choice; past
 * a hundred a dead board goes unnoticed for minutes, which is no failover at all.
 */
export function parseLostAfter(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > 100) {
    throw new InputError('gateway.bad-lost-after', `--lost-after ${text}: give a whole number of heartbeat intervals, 1 to 100`, { hint: '--lost-after 3: a board is lost after three intervals without a heartbeat', data: { value: text } });
  }
  return n;
}
