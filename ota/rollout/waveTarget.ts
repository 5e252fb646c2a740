import type { WaveSize } from './RolloutSpec.js';

/**
 * How many of `boards` boards to update a wave reaches, cumulatively: a count as it is (never
 * more than there are), a percentage rounded up so that `5%` of 10 boards is one board rather
 * than none.
 */
export function waveTarget(size: WaveSize, boards: number): number {
  if ('count' in size) return Math.min(size.count, boards);
  // The small epsilon keeps float noise (7% of 100 is 7.000000000000001) from adding a board.
  return Math.max(0, Math.min(boards, Math.ceil((size.percent * boards) / 100 - 1e-9)));
}

/** `1`, `5%`: a wave size as the operator writes it. */
export function formatWaveSize(size: WaveSize): string {
  return 'count' in size ? String(size.count) : `${size.percent}%`;
}
