import type { DashboardOverview } from '../DashboardApi.js';
import type { ConnectionState } from './api.js';
import type { Route } from './parseRoute.js';
import { shortHash } from './shortHash.js';
import { SignIn } from './SignIn.js';
import type { Session } from './useSession.js';

const connectionText: Record<ConnectionState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };

/** The bar over every view: where you are, where you can go, how the building stands, and who you are. */
export function TopBar({ overview, route, session, connection }: { readonly overview: DashboardOverview | undefined; readonly route: Route; readonly session: Session; readonly connection: ConnectionState }) {
  const links: { href: string; text: string; current: boolean }[] = [
    { href: '#/', text: 'Building', current: route.view === 'building' || route.view === 'board' },
    { href: '#/rollouts', text: 'Rollouts', current: route.view === 'rollouts' },
    { href: '#/ledger', text: 'Ledger', current: route.view === 'ledger' },
  ];
  if (overview?.simulated === true) links.push({ href: '#/devices', text: 'Devices', current: route.view === 'devices' });
  const online = overview?.boards.filter((board) => board.online).length ?? 0;
  return (
    <header class="topbar">
      <div class="topbar-row">
        <a class="brand" href="#/">
          <span class="brand-mark" aria-hidden="true">◧</span> {overview?.building.name ?? 'osmose'}
        </a>
        <nav aria-label="Views">
          <ul class="nav">
            {links.map((link) => (
              <li key={link.href}>
                <a href={link.href} aria-current={link.current ? 'page' : undefined}>
                  {link.text}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SignIn session={session} />
      </div>
      <div class="topbar-row topbar-status">
        {overview === undefined ? (
          <span class="muted">Reading the building…</span>
        ) : (
          <span class="summary">
            <span data-testid="board-count">{overview.boards.length}</span> boards, {online} online, latest build <code>{shortHash(overview.gateway.build)}</code>
          </span>
        )}
        <span class={`connection connection-${connection}`} aria-live="polite">
          <span class="dot" aria-hidden="true" /> <span data-testid="connection">{connectionText[connection]}</span>
        </span>
      </div>
    </header>
  );
}
