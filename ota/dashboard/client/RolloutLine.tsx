import type { RolloutSummary } from '../../rollout/rolloutSummary.js';
import { rolloutPercent } from './rolloutActions.js';
import { shortHash } from './shortHash.js';

/** One line on the building's page about the rollout in progress, linking to its full page. */
export function RolloutLine({ rollout }: { readonly rollout: RolloutSummary }) {
  return (
    <p class="rollout-line" aria-live="polite">
      Rollout <code>{rollout.rollout}</code> of build <code>{shortHash(rollout.build)}</code>: <strong>{rollout.status}</strong>, {rolloutPercent(rollout.done, rollout.total)}% ({rollout.done} of {rollout.total} boards, wave {rollout.wave.current} of {rollout.wave.of}).{' '}
      <a href="#/rollouts">Follow the rollout</a>
    </p>
  );
}
