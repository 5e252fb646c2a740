import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './parseRoute.js';

/** The current route, following `hashchange` (links, the back button, typed addresses). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
