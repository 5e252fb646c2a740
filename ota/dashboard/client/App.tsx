import { useEffect, useRef } from 'preact/hooks';
import type { DashboardOverview } from '../DashboardApi.js';
import { Loading } from './Loading.js';
import type { Route } from './parseRoute.js';
import { TopBar } from './TopBar.js';
import { useConnection } from './useConnection.js';
import { useResource } from './useResource.js';
import { useRoute } from './useRoute.js';
import { useSession } from './useSession.js';
import { ViewHeading } from './ViewHeading.js';
import { BoardView } from './views/BoardView.js';
import { BuildingView } from './views/BuildingView.js';
import { DevicesView } from './views/DevicesView.js';
import { LedgerView } from './views/LedgerView.js';
import { RolloutsView } from './views/RolloutsView.js';

/**
 * The whole page: the top bar and the view the address names. The overview is read here, once,
 * because the top bar and the building's view both show it and the `overview` event carries it whole.
 */
export function App() {
  const route = useRoute();
  const session = useSession();
  const connection = useConnection();
  const overview = useResource<DashboardOverview>('/api/overview', { live: 'overview' });
  const routeKey = JSON.stringify(route);
  const firstRoute = useRef(true);

  useEffect(() => {
    // Not on the first load: the skip link should be the first stop then.
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.getElementById('view-title')?.focus();
  }, [routeKey]);

  useEffect(() => {
    document.title = overview.data === undefined ? 'osmose dashboard' : `${overview.data.building.name} · osmose`;
  }, [overview.data]);

  return (
    <>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <TopBar overview={overview.data} route={route} session={session} connection={connection} />
      <main id="main" tabIndex={-1}>
        <View route={route} overview={overview.data} overviewError={overview.error} operator={session.operator === true} />
      </main>
    </>
  );
}

/** The skip link's target is an id, but `#main` would read as a route: move focus by hand instead. */
function skipToMain(event: Event): void {
  event.preventDefault();
  (document.getElementById('view-title') ?? document.getElementById('main'))?.focus();
}

function View({ route, overview, overviewError, operator }: { readonly route: Route; readonly overview: DashboardOverview | undefined; readonly overviewError: ReturnType<typeof useResource>['error']; readonly operator: boolean }) {
  switch (route.view) {
    case 'building':
      return overview === undefined ? (
        <>
          <ViewHeading>Building</ViewHeading>
          <Loading error={overviewError} />
        </>
      ) : (
        <BuildingView overview={overview} />
      );
    case 'board':
      return <BoardView key={route.board} id={route.board} />;
    case 'rollouts':
      return <RolloutsView operator={operator} />;
    case 'ledger':
      return <LedgerView />;
    case 'devices':
      return <DevicesView />;
    case 'not-found':
      return (
        <>
          <ViewHeading>No such page</ViewHeading>
          <p>
            Nothing lives at <code>{route.hash}</code>. <a href="#/">Back to the building</a>
          </p>
        </>
      );
  }
}
