export interface Percentiles {
  readonly median: number;
  readonly p99: number;
  readonly runs: number;
}

/** Median and 99th percentile (nearest rank) of a series of measurements. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { median: rank(0.5), p99: rank(0.99), runs: sorted.length };
}
