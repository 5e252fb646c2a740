import { performance } from 'node:perf_hooks';

export interface Measurement {
  readonly median: number;
  readonly min: number;
  readonly runs: number;
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/**
 * Measures two tasks in alternation, so that warm-up, garbage collection and whatever else
 * the machine is doing fall on both alike; returns their measurements in milliseconds.
 */
export async function compare(
  baseline: () => unknown,
  subject: () => unknown,
  runs = 20,
  warmup = 3,
): Promise<{ baseline: Measurement; subject: Measurement }> {
  for (let i = 0; i < warmup; i++) {
    await baseline();
    await subject();
  }
  const times = { baseline: [] as number[], subject: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const [name, task] of [['baseline', baseline], ['subject', subject]] as const) {
      const start = performance.now();
      await task();
      times[name].push(performance.now() - start);
    }
  }
  const summary = (list: number[]): Measurement => {
    const sorted = [...list].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, runs };
  };
  return { baseline: summary(times.baseline), subject: summary(times.subject) };
}
