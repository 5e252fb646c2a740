import { InputError } from '../../lib/OsmoseError.js';
import type { WaveSize } from './RolloutSpec.js';

const example = '--waves 1,5%,25%,100%';

/**
 * `--waves 1,5%,25%,100%`: cumulative wave sizes, counts of boards then percentages of the
 * boards to update, each larger than the one before, the last 100%. A count after a
 * percentage is refused: which of `10%` and `50` is larger depends on the building.
 */
export function parseWaves(text: string): WaveSize[] {
  const bad = (why: string, value: string): InputError =>
    new InputError('rollout.bad-waves', `--waves ${text}: ${why}`, { hint: `give cumulative sizes ending with 100%, such as ${example}`, data: { option: '--waves', value } });
  const waves: WaveSize[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(part);
    const count = /^\d+$/.exec(part);
    if (percent !== null) {
      const value = Number(percent[1]);
      if (value <= 0 || value > 100) throw bad(`${part} is not a percentage above 0 and at most 100`, part);
      const previous = waves.at(-1);
      if (previous !== undefined && 'percent' in previous && previous.percent >= value) throw bad(`${part} is not larger than the wave before it (${previous.percent}%)`, part);
      waves.push({ percent: value });
    } else if (count !== null) {
      const value = Number(part);
      const previous = waves.at(-1);
      if (value < 1) throw bad('a wave of 0 boards reaches nobody', part);
      if (previous !== undefined && 'percent' in previous) throw bad(`the count ${part} comes after a percentage: put counts first`, part);
      if (previous !== undefined && 'count' in previous && previous.count >= value) throw bad(`${part} is not larger than the wave before it (${previous.count})`, part);
      waves.push({ count: value });
    } else {
      throw bad(`${JSON.stringify(part)} is neither a number of boards nor a percentage`, part);
    }
  }
  const last = waves.at(-1);
  if (last === undefined || !('percent' in last) || last.percent !== 100) throw bad('the last wave must be 100%, or some boards are never updated', text);
  return waves;
}
