import { useState } from 'preact/hooks';
import type { DashboardRollouts } from '../../DashboardApi.js';
import type { BoardRollout } from '../../../rollout/RolloutState.js';
import type { OsmoseError } from '../../../../lib/OsmoseError.js';
import { ErrorAlert } from '../ErrorAlert.js';
import { formatTime } from '../formatTime.js';
import { Loading } from '../Loading.js';
import { boardHref } from '../parseRoute.js';
import { ProgressBar } from '../ProgressBar.js';
import { rolloutFinished } from '../rolloutActions.js';
import { RolloutControls } from '../RolloutControls.js';
import { shortHash } from '../shortHash.js';
import { StartRolloutForm } from '../StartRolloutForm.js';
import { StateChip } from '../StateChip.js';
import { useResource } from '../useResource.js';
import { ViewHeading } from '../ViewHeading.js';

type Current = NonNullable<DashboardRollouts['current']>;

/** `#/rollouts`: the rollout in progress, wave by wave, with the operator's controls; starting one; the past ones. */
export function RolloutsView({ operator }: { readonly operator: boolean }) {
  const rollouts = useResource<DashboardRollouts>('/api/rollouts', { live: 'rollouts' });
  const [error, setError] = useState<OsmoseError | undefined>(undefined);
  const data = rollouts.data;
  const live = data !== undefined && data.current !== null && !rolloutFinished(data.current.status);
  return (
    <>
      <ViewHeading>Rollouts</ViewHeading>
      <ErrorAlert error={error} />
      {data === undefined ? (
        <Loading error={rollouts.error} />
      ) : (
        <>
          <section class="card" aria-labelledby="current-heading">
            <h2 id="current-heading">{data.current === null ? 'No rollout yet' : live ? 'Current rollout' : 'Last rollout'}</h2>
            {data.current !== null && <CurrentRollout current={data.current} operator={operator} onDone={rollouts.reload} onError={setError} />}
          </section>
          <section class="card" aria-labelledby="start-heading">
            <h2 id="start-heading">Start a rollout of the latest build</h2>
            <StartRolloutForm operator={operator} blockedBy={live ? 'a rollout is in progress: wait for it to finish, or abort it' : undefined} onDone={rollouts.reload} onError={setError} />
          </section>
          <section class="card" aria-labelledby="past-heading">
            <h2 id="past-heading">Past rollouts</h2>
            <PastRollouts past={data.past} />
          </section>
        </>
      )}
    </>
  );
}

function CurrentRollout({ current, operator, onDone, onError }: { readonly current: Current; readonly operator: boolean; readonly onDone: () => void; readonly onError: (error: OsmoseError | undefined) => void }) {
  return (
    <div class="rollout">
      <dl class="facts">
        <dt>Rollout</dt>
        <dd>
          <code data-testid="rollout-id">{current.rollout}</code>
        </dd>
        <dt>Build</dt>
        <dd>
          <code>{shortHash(current.build)}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <strong class={`status status-${current.status}`} data-testid="rollout-status">
            {current.status}
          </strong>
          {current.reason !== null && <span> — {current.reason}</span>}
        </dd>
        <dt>Options</dt>
        <dd>
          waves {current.spec.waves.join(', ')}; max failures {current.spec.maxFailures}; health timeout {Math.round(current.spec.healthTimeoutMs / 1000)}s; started {formatTime(current.spec.startedAt)}
        </dd>
      </dl>
      <div class="rollout-progress" aria-live="polite">
        <ProgressBar percent={current.percent} label="Rollout progress" testId="rollout-percent" />
        <p class="muted">
          {current.done} of {current.total} boards done; wave {current.wave.current} of {current.wave.of}
          {current.wave.allPassed ? ', every wave passed' : ''}.
        </p>
        <ul class="state-counts" aria-label="Boards by state">
          {Object.entries(current.boards)
            .filter(([, count]) => count > 0)
            .map(([state, count]) => (
              <li key={state}>
                {count} <StateChip state={state} />
              </li>
            ))}
        </ul>
      </div>
      <RolloutControls status={current.status} operator={operator} onDone={onDone} onError={onError} />
      <ol class="waves">
        {current.waves.map((wave) => (
          <li key={wave.wave} class="wave">
            <h3>
              Wave {wave.wave} <span class="muted">({current.spec.waves[wave.wave - 1] ?? '?'})</span>
            </h3>
            {wave.wave > current.wave.current && wave.boards.length === 0 ? (
              <p class="muted">Not reached yet.</p>
            ) : (
              <>
                <ProgressBar percent={wave.percent} label={`Wave ${wave.wave} progress`} />
                <BoardList boards={wave.boards} />
              </>
            )}
          </li>
        ))}
      </ol>
      {current.failures.length > 0 && (
        <>
          <h3>Failures ({current.failures.length} of at most {current.maxFailures})</h3>
          <ul class="plain-list failures">
            {current.failures.map((failure) => (
              <li key={`${failure.board}-${failure.at}`}>
                <a href={boardHref(failure.board)}>{failure.board}</a>, wave {failure.wave}: {failure.reason} <span class="muted">({formatTime(failure.at)})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {current.waiting.length > 0 && (
        <>
          <h3>Waiting for a wave ({current.waiting.length})</h3>
          <BoardList boards={current.waiting} />
        </>
      )}
    </div>
  );
}

function BoardList({ boards }: { readonly boards: readonly BoardRollout[] }) {
  if (boards.length === 0) return <p class="muted">No boards.</p>;
  return (
    <ul class="board-states">
      {boards.map((board) => (
        <li key={board.board}>
          <a href={boardHref(board.board)}>{board.board}</a> <StateChip state={board.state} />
          {board.reason !== null && <span class={board.state === 'failed' || board.state === 'reverted' ? 'bad-text' : 'muted'}> {board.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

function PastRollouts({ past }: { readonly past: DashboardRollouts['past'] }) {
  if (past.length === 0) return <p class="muted">None yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Rollout</th>
          <th scope="col">Build</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {past.map((rollout) => (
          <tr key={rollout.rollout}>
            <td>
              <code>{rollout.rollout}</code>
            </td>
            <td>
              <code>{shortHash(rollout.build)}</code>
            </td>
            <td>{rollout.status}</td>
            <td>{formatTime(rollout.startedAt)}</td>
            <td>{rollout.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
