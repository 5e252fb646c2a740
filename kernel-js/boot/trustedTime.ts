import type { BoardState } from './BoardState.js';

/**
 * The time a board judges expiry by: the later of its clock and the last time the building
 * vouched for (state.json's `vouchedTime`). A board without a real-time clock starts in 1970,
 * or wherever its last shutdown left it; a vouched time keeps it from accepting metadata that
 * expired before that time, however far behind its clock is (docs/security.md).
 */
export function trustedTime(state: BoardState, clock: Date): Date {
  const vouched = state.vouchedTime === undefined ? Number.NaN : Date.parse(state.vouchedTime);
  return Number.isNaN(vouched) || vouched <= clock.getTime() ? clock : new Date(vouched);
}
