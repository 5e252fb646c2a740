import { useEffect, useState } from 'preact/hooks';
import { liveEvents, type ConnectionState } from './api.js';

/** The state of the page's event stream, for the top bar's "live" / "reconnecting…" line. */
export function useConnection(): ConnectionState {
  const [state, setState] = useState(liveEvents.state);
  useEffect(() => {
    const off = liveEvents.onState(setState);
    setState(liveEvents.state);
    return off;
  }, []);
  return state;
}
