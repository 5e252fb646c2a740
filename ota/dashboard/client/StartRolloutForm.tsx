import { useState } from 'preact/hooks';
import type { StartRolloutBody } from '../DashboardApi.js';
import type { RolloutSummary } from '../../rollout/rolloutSummary.js';
import type { OsmoseError } from '../../../lib/OsmoseError.js';
import { sendJson } from './api.js';

/**
 * Starts a rollout of the latest build with the same options as `osmose rollout`. The fields
 * are sent as typed; the gateway checks them and its refusal (with a hint) shows beside the form.
 */
export function StartRolloutForm({ operator, blockedBy, onDone, onError }: { readonly operator: boolean; readonly blockedBy: string | undefined; readonly onDone: () => void; readonly onError: (error: OsmoseError | undefined) => void }) {
  const [waves, setWaves] = useState('1,50%,100%');
  const [maxFailures, setMaxFailures] = useState('0');
  const [healthTimeout, setHealthTimeout] = useState('30s');
  const [windowText, setWindowText] = useState('');
  const [busy, setBusy] = useState(false);
  const why = !operator ? 'sign in as the operator to start a rollout' : blockedBy;

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const body: StartRolloutBody = { waves: waves.trim(), maxFailures: maxFailures.trim(), healthTimeout: healthTimeout.trim(), window: windowText.trim() === '' ? [] : [windowText.trim()] };
    try {
      await sendJson<RolloutSummary>('POST', '/api/rollouts', body);
      onError(undefined);
      onDone();
    } catch (failure) {
      onError(failure as OsmoseError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="start-form" onSubmit={(event) => void submit(event)}>
      <div class="field">
        <label for="start-waves">Waves</label>
        <input id="start-waves" type="text" value={waves} onInput={(event) => setWaves(event.currentTarget.value)} aria-describedby="start-waves-help" />
        <small id="start-waves-help">boards or shares per wave, e.g. 1,25%,100%</small>
      </div>
      <div class="field">
        <label for="start-max-failures">Max failures</label>
        <input id="start-max-failures" type="text" value={maxFailures} onInput={(event) => setMaxFailures(event.currentTarget.value)} aria-describedby="start-max-failures-help" />
        <small id="start-max-failures-help">a count (2) or a share (10%) of the boards offered</small>
      </div>
      <div class="field">
        <label for="start-health-timeout">Health timeout</label>
        <input id="start-health-timeout" type="text" value={healthTimeout} onInput={(event) => setHealthTimeout(event.currentTarget.value)} aria-describedby="start-health-timeout-help" />
        <small id="start-health-timeout-help">how long a board may take to report healthy: 20s, 5m</small>
      </div>
      <div class="field">
        <label for="start-window">Maintenance window</label>
        <input id="start-window" type="text" value={windowText} onInput={(event) => setWindowText(event.currentTarget.value)} aria-describedby="start-window-help" placeholder="any time" />
        <small id="start-window-help">days and hours in the building's time zone: Mon-Fri 22:00-06:00</small>
      </div>
      <div class="field field-submit">
        <button type="submit" disabled={busy || why !== undefined} title={why}>
          Start rollout
        </button>
      </div>
    </form>
  );
}
