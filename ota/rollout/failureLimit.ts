import type { MaxFailures } from './RolloutSpec.js';

/**
 * Why `failures` failures among `offered` offered boards pass the limit, or undefined while
 * they do not. "Over" is strict: `--max-failures 2` tolerates two failures and halts on the
 * third; `10%` halts once more than a tenth of the boards offered so far have failed.
 */
export function overFailureLimit(limit: MaxFailures, failures: number, offered: number): string | undefined {
  if ('count' in limit) {
    return failures > limit.count ? `${failures} failure${failures === 1 ? '' : 's'}, over the limit of ${limit.count}` : undefined;
  }
  if (failures * 100 <= limit.percent * offered) return undefined;
  return `${failures} of ${offered} offered board${offered === 1 ? '' : 's'} failed, over the limit of ${limit.percent}%`;
}

/** `3`, `10%`: the limit as the operator writes it. */
export function formatMaxFailures(limit: MaxFailures): string {
  return 'count' in limit ? String(limit.count) : `${limit.percent}%`;
}
