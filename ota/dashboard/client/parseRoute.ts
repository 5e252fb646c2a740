/** A page of the dashboard, as its address (`location.hash`) names it. */
export type Route =
  | { readonly view: 'building' }
  | { readonly view: 'board'; readonly board: string }
  | { readonly view: 'rollouts' }
  | { readonly view: 'ledger' }
  | { readonly view: 'devices' }
  | { readonly view: 'not-found'; readonly hash: string };

/**
 * Reads a route from `location.hash`. Routes live in the hash so that the gateway serves one
 * file for every page and a reload or a shared link lands on the same view.
 */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '' || path === '/') return { view: 'building' };
  if (path === '/rollouts') return { view: 'rollouts' };
  if (path === '/ledger') return { view: 'ledger' };
  if (path === '/devices') return { view: 'devices' };
  const board = /^\/boards\/([^/]+)$/.exec(path)?.[1];
  if (board !== undefined) {
    try {
      return { view: 'board', board: decodeURIComponent(board) };
    } catch {
      return { view: 'not-found', hash };
    }
  }
  return { view: 'not-found', hash };
}

/** The address of a board's page. */
export function boardHref(board: string): string {
  return `#/boards/${encodeURIComponent(board)}`;
}
