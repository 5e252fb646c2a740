import type { DashboardBuild, DashboardLedger } from '../../DashboardApi.js';
import { formatTime } from '../formatTime.js';
import { Loading } from '../Loading.js';
import { boardHref } from '../parseRoute.js';
import { shortHash } from '../shortHash.js';
import { ToolchainFacts } from '../ToolchainFacts.js';
import { useResource } from '../useResource.js';
import { ViewHeading } from '../ViewHeading.js';

/**
 * `#/ledger`: every build, newest first, each told as its chain of provenance: the source commit,
 * the build commit, its signature, the rollouts that deployed it, and the boards running it now.
 */
export function LedgerView() {
  const ledger = useResource<DashboardLedger>('/api/ledger', { refetchOn: ['ledger', 'rollouts'] });
  return (
    <>
      <ViewHeading>Ledger</ViewHeading>
      {ledger.data === undefined ? (
        <Loading error={ledger.error} />
      ) : ledger.data.builds.length === 0 ? (
        <p>No build on the ledger yet: run <code>osmose build</code>.</p>
      ) : (
        <ol class="timeline">
          {ledger.data.builds.map((build, index) => (
            <li key={build.commit}>
              <BuildEntry build={build} latest={index === 0} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function BuildEntry({ build, latest }: { readonly build: DashboardBuild; readonly latest: boolean }) {
  // A build's commit message has a subject line, then what the ledger records (source, toolchain).
  const [subject = '', ...lines] = build.message.trim().split('\n');
  const rest = lines.join('\n').trim();
  return (
    <article class="card build" aria-labelledby={`build-${build.commit}`}>
      <h2 id={`build-${build.commit}`}>
        Build <code>{shortHash(build.commit)}</code> {latest && <span class="chip tone-info">latest</span>}
      </h2>
      <p class="muted">
        {formatTime(build.time)} · {build.boards} boards{build.changed.length > 0 ? `, ${build.changed.length} changed: ${build.changed.join(', ')}` : ', none changed'}
      </p>
      <ol class="chain">
        <li>
          <h3>Source</h3>
          {build.source === null ? (
            <p class="muted">not recorded</p>
          ) : (
            <p>
              {build.source.commit === null ? 'not in git' : <code>{shortHash(build.source.commit)}</code>}
              {build.source.uncommitted.length > 0 && <span class="warn-text"> uncommitted: {build.source.uncommitted.join(', ')}</span>}
            </p>
          )}
        </li>
        <li>
          <h3>Build</h3>
          <p>
            <code>{shortHash(build.commit)}</code> {formatTime(build.time)}
          </p>
          <p class="build-message">{subject}</p>
          {rest !== '' && (
            <details>
              <summary>The whole message</summary>
              <p class="build-message">{rest}</p>
            </details>
          )}
          {build.toolchain !== null && (
            <details>
              <summary>Toolchain</summary>
              <ToolchainFacts toolchain={build.toolchain} />
            </details>
          )}
        </li>
        <li>
          <h3>Signature</h3>
          {build.signature === null ? (
            <p class="muted">not signed</p>
          ) : (
            <p>
              targets v{build.signature.version}, keys {build.signature.keyids.map((key) => shortHash(key, 8)).join(', ')}
            </p>
          )}
        </li>
        <li>
          <h3>Deployments</h3>
          {build.deployments.length === 0 ? (
            <p class="muted">never rolled out</p>
          ) : (
            <ul class="plain-list">
              {build.deployments.map((deployment) => (
                <li key={deployment.rollout}>
                  <code>{deployment.rollout}</code> <strong>{deployment.status}</strong> {formatTime(deployment.startedAt)}: {deployment.committed.length} committed
                  {deployment.reverted.length > 0 && <span class="bad-text">, reverted {deployment.reverted.join(', ')}</span>}
                  {deployment.failed.length > 0 && <span class="bad-text">, failed {deployment.failed.join(', ')}</span>}
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          <h3>Running it now</h3>
          {build.running.length === 0 ? (
            <p class="muted">no board</p>
          ) : (
            <p>
              {build.running.map((board, index) => (
                <span key={board}>
                  {index > 0 && ', '}
                  <a href={boardHref(board)}>{board}</a>
                </span>
              ))}
            </p>
          )}
        </li>
      </ol>
    </article>
  );
}
