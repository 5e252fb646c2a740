/** `5m`, `90s`, `1500ms`: a duration in the largest unit that writes it whole, as `--health-timeout` takes it. */
export function formatDuration(ms: number): string {
  const units: readonly [string, number][] = [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
