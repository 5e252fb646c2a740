import { useState } from 'preact/hooks';
import type { RolloutSummary } from '../../rollout/rolloutSummary.js';
import type { OsmoseError } from '../../../lib/OsmoseError.js';
import { sendJson } from './api.js';
import { rolloutActionAllowed, type RolloutAction } from './rolloutActions.js';

/**
 * Pause, Resume and Abort for the current rollout. A button is enabled only for a signed-in
 * operator and only when the rollout's state table takes that action; otherwise its title says
 * why. Abort asks for a reason in the page (it goes to the ledger with the rollout), and its
 * button gives way to that small form so that one "Abort" button shows at a time.
 */
export function RolloutControls({ status, operator, onDone, onError }: { readonly status: string; readonly operator: boolean; readonly onDone: () => void; readonly onError: (error: OsmoseError | undefined) => void }) {
  const [busy, setBusy] = useState(false);
  const [aborting, setAborting] = useState(false);
  const [reason, setReason] = useState('');

  const act = async (action: RolloutAction, body: unknown): Promise<void> => {
    setBusy(true);
    try {
      await sendJson<RolloutSummary>('POST', `/api/rollouts/current/${action}`, body);
      onError(undefined);
      setAborting(false);
      setReason('');
      onDone();
    } catch (failure) {
      onError(failure as OsmoseError);
    } finally {
      setBusy(false);
    }
  };
  const why = (action: RolloutAction, verb: string): string | undefined => {
    if (!operator) return `sign in as the operator to ${verb} the rollout`;
    if (!rolloutActionAllowed(status, action)) return `a rollout that is ${status} cannot be ${verb === 'abort' ? 'aborted' : `${verb}d`}`;
    return undefined;
  };
  const pauseWhy = why('pause', 'pause');
  const resumeWhy = why('resume', 'resume');
  const abortWhy = why('abort', 'abort');

  return (
    <div class="controls">
      <button type="button" onClick={() => void act('pause', {})} disabled={busy || pauseWhy !== undefined} title={pauseWhy}>
        Pause
      </button>
      <button type="button" onClick={() => void act('resume', {})} disabled={busy || resumeWhy !== undefined} title={resumeWhy}>
        Resume
      </button>
      {aborting ? (
        <form
          class="abort-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act('abort', reason.trim() === '' ? {} : { reason: reason.trim() });
          }}
        >
          <label for="abort-reason">Reason for aborting</label>
          <input id="abort-reason" type="text" value={reason} onInput={(event) => setReason(event.currentTarget.value)} placeholder="optional" autoFocus />
          <button type="submit" class="button-danger" disabled={busy || abortWhy !== undefined} title={abortWhy}>
            Abort
          </button>
          <button type="button" class="button-quiet" onClick={() => setAborting(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" class="button-danger" onClick={() => setAborting(true)} disabled={busy || abortWhy !== undefined} title={abortWhy}>
          Abort
        </button>
      )}
    </div>
  );
}
