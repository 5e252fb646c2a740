import { InputError } from '../../lib/OsmoseError.js';
import type { MaxFailures } from './RolloutSpec.js';

/** `--max-failures 3` (boards) or `--max-failures 10%` (of the boards offered so far); more than that halts the rollout. */
export function parseMaxFailures(text: string): MaxFailures {
  const part = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(part);
  if (percent !== null && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  if (/^\d+$/.test(part)) return { count: Number(part) };
  throw new InputError('rollout.bad-max-failures', `--max-failures ${text}: give a number of boards or a percentage from 0% to 100%`, {
    hint: '--max-failures 3 halts on the fourth failure; --max-failures 10% once more than a tenth of the boards offered have failed',
    data: { option: '--max-failures', value: text },
  });
}
