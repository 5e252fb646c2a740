import type { DashboardBoardPage } from '../../DashboardApi.js';
import { formatBytes } from '../formatBytes.js';
import { formatTime } from '../formatTime.js';
import { healthTone } from '../healthLook.js';
import { HealthHistory } from '../HealthHistory.js';
import { Loading } from '../Loading.js';
import { shortHash } from '../shortHash.js';
import { ToolchainFacts } from '../ToolchainFacts.js';
import { StateChip } from '../StateChip.js';
import { useResource } from '../useResource.js';
import { ViewHeading } from '../ViewHeading.js';

/** `#/boards/ID`: one board, what it runs and where that came from, how it has been, and its last revert. */
export function BoardView({ id }: { readonly id: string }) {
  const page = useResource<DashboardBoardPage>(`/api/boards/${encodeURIComponent(id)}`, { refetchOn: ['overview'] });
  return (
    <>
      <ViewHeading>Board {id}</ViewHeading>
      {page.data === undefined ? <Loading error={page.error} /> : <BoardDetails page={page.data} />}
    </>
  );
}

function BoardDetails({ page }: { readonly page: DashboardBoardPage }) {
  const { board, ledger, slots, lastRevert, rollout } = page;
  return (
    <div class="board-page">
      <p class={`board-health tone-${healthTone(board.health)}`}>
        <span class="dot" aria-hidden="true" /> <strong>{board.health}</strong>: {board.healthText}.{' '}
        {board.online ? 'Online' : 'Offline'}; last heartbeat {board.lastHeartbeat === null ? 'never' : formatTime(board.lastHeartbeat)}.
      </p>

      <section class="card" aria-labelledby="board-image-heading">
        <h2 id="board-image-heading">Image</h2>
        <dl class="facts">
          <dt>Image</dt>
          <dd>
            <code data-testid="board-image">{board.image}</code>
          </dd>
          <dt>Version</dt>
          <dd>v{board.version}</dd>
          <dt>Board type</dt>
          <dd>{board.type}</dd>
          <dt>Latest build gives it</dt>
          <dd>
            v{board.latest.version} <code>{shortHash(board.latest.image)}</code> {board.latest.current ? '(it runs it)' : '(not yet running it)'}
          </dd>
          {ledger !== null && (
            <>
              <dt>Source commit</dt>
              <dd>
                {ledger.source.commit === null ? 'not in git' : <code>{shortHash(ledger.source.commit)}</code>}
                {ledger.source.uncommitted.length > 0 && <span class="warn-text"> uncommitted: {ledger.source.uncommitted.join(', ')}</span>}
              </dd>
              <dt>Built by</dt>
              <dd>
                ledger commit <code>{shortHash(ledger.since.commit)}</code>, {formatTime(ledger.since.time)}
              </dd>
              <dt>Signed by</dt>
              <dd>{ledger.signedBy.length === 0 ? 'no key' : ledger.signedBy.map((key) => <code key={key}>{shortHash(key, 16)} </code>)}</dd>
              <dt>Toolchain</dt>
              <dd>
                <ToolchainFacts toolchain={ledger.toolchain} />
              </dd>
            </>
          )}
        </dl>
        {ledger !== null && ledger.modules.length > 0 && (
          <table>
            <caption>Modules</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">WebAssembly digest</th>
                <th scope="col">Size</th>
              </tr>
            </thead>
            <tbody>
              {ledger.modules.map((module) => (
                <tr key={module.app}>
                  <td>{module.app}</td>
                  <td>
                    <code title={module.wasm}>{shortHash(module.wasm)}</code>
                  </td>
                  <td>{formatBytes(module.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" aria-labelledby="board-revert-heading">
        <h2 id="board-revert-heading">Last revert</h2>
        <div data-testid="last-revert">
          {lastRevert === null ? (
            <p>Never reverted.</p>
          ) : (
            <p>
              <StateChip state={lastRevert.state} /> <strong>{lastRevert.reason}</strong> — rollout <code>{lastRevert.rollout}</code>, {formatTime(lastRevert.at)}.
            </p>
          )}
        </div>
      </section>

      <section class="card" aria-labelledby="board-slots-heading">
        <h2 id="board-slots-heading">Slots</h2>
        <dl class="facts">
          <dt>Active slot</dt>
          <dd>{slots.active}</dd>
          <dt>Confirmed</dt>
          <dd>{slots.confirmed ? 'yes' : 'no, on trial'}</dd>
          <dt>Update agent</dt>
          <dd>{slots.agentState}</dd>
        </dl>
      </section>

      <section class="card" aria-labelledby="board-history-heading">
        <h2 id="board-history-heading">Health</h2>
        <HealthHistory history={page.history} />
      </section>

      <section class="card" aria-labelledby="board-rollout-heading">
        <h2 id="board-rollout-heading">In the rollout</h2>
        {rollout === null ? (
          <p>No part in a rollout.</p>
        ) : (
          <p>
            <StateChip state={rollout.state} /> {rollout.wave === null ? 'no wave has reached it yet' : `wave ${rollout.wave}`}, target v{rollout.version} <code>{shortHash(rollout.target)}</code>, since {formatTime(rollout.since)}
            {rollout.reason !== null && <>: {rollout.reason}</>}. <a href="#/rollouts">The rollout</a>
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="board-devices-heading">
        <h2 id="board-devices-heading">Devices and fragments</h2>
        {page.devices.length === 0 ? (
          <p>No devices.</p>
        ) : (
          <ul class="plain-list">
            {page.devices.map((device) => (
              <li key={device.name}>
                <strong>{device.name}</strong> <span class="muted">({device.driver})</span>
              </li>
            ))}
          </ul>
        )}
        <h3>Fragments</h3>
        {page.fragments.length === 0 ? (
          <p>Runs no fragment.</p>
        ) : (
          <ul class="plain-list">
            {page.fragments.map((fragment) => (
              <li key={fragment}>
                <code>{fragment}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
