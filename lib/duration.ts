import * as z from 'zod';

const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `10ms`, `1.5s`, `30m`, `24h`, `7d`, `2w`: a number and one unit, no spaces. */
export const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** Milliseconds for a duration such as `24h`, or undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (match === null) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * units[unit as keyof typeof units];
}

export const durationHint = 'write a number and a unit, such as 10ms, 30s, 5m, 24h, 7d or 2w';

export const durationSchema = z
  .string()
  .regex(durationPattern, { message: durationHint })
  .meta({ description: `A duration: ${durationHint}.`, examples: ['10ms', '24h', '30d'] });
