import { durationHint, parseDuration } from '../../lib/duration.js';
import { InputError } from '../../lib/OsmoseError.js';
import { parseMaxFailures } from './parseMaxFailures.js';
import { parseWaves } from './parseWaves.js';
import { parseWindow } from './parseWindow.js';
import type { RolloutSpec } from './RolloutSpec.js';

/** The options of `osmose rollout` as commander hands them over: text, `--window` repeated. */
export interface RolloutOptionsText {
  readonly waves?: string;
  readonly maxFailures?: string;
  readonly window?: readonly string[];
  readonly healthTimeout?: string;
  /** The building's time zone (building.yaml `building.timezone`); UTC when it has none. */
  readonly timezone?: string;
}

export type RolloutOptions = Pick<RolloutSpec, 'waves' | 'maxFailures' | 'windows' | 'timezone' | 'healthTimeoutMs'>;

/**
 * The defaults: a one-board canary, then 5%, 25% and the rest; halt once more than 5% of the
 * boards offered have failed (so the canary failing halts at once); any time of day; ten
 * minutes from offer to healthy, which covers a download and two boots on a slow board.
 */
export const rolloutDefaults = { waves: '1,5%,25%,100%', maxFailures: '5%', healthTimeout: '10m', timezone: 'UTC' } as const;

/** Parses and checks every rollout option, each refusal naming the option, the value and an example. */
export function parseRolloutOptions(options: RolloutOptionsText): RolloutOptions {
  const timezone = options.timezone ?? rolloutDefaults.timezone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InputError('rollout.bad-timezone', `building.yaml: building.timezone ${JSON.stringify(timezone)} is not an IANA time zone`, {
      hint: 'write a zone such as Europe/London or America/New_York',
      data: { value: timezone },
    });
  }
  const healthText = options.healthTimeout ?? rolloutDefaults.healthTimeout;
  const healthTimeoutMs = parseDuration(healthText.trim());
  if (healthTimeoutMs === undefined || healthTimeoutMs <= 0) {
    throw new InputError('rollout.bad-health-timeout', `--health-timeout ${healthText}: not a duration`, {
      hint: `${durationHint}; --health-timeout 5m`,
      data: { option: '--health-timeout', value: healthText },
    });
  }
  return {
    waves: parseWaves(options.waves ?? rolloutDefaults.waves),
    maxFailures: parseMaxFailures(options.maxFailures ?? rolloutDefaults.maxFailures),
    windows: (options.window ?? []).map(parseWindow),
    timezone,
    healthTimeoutMs,
  };
}
