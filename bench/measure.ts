import { performance } from 'node:perf_hooks';

export interface Measurement {
  readonly median: number;
  readonly min: number;
  readonly runs: number;
}

/** Runs `task` `warmup` times unmeasured, then `runs` times, and returns milliseconds. */
export async function measure(task: () => unknown, runs = 20, warmup = 3): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await task();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? 0, min: times[0] ?? 0, runs };
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}
