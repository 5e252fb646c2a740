import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { OsmoseError } from '../../../lib/OsmoseError.js';
import { getJson, liveEvents, type DashboardEventName, type DashboardEvents } from './api.js';

/** A resource as a view holds it: the last value read (kept while a refetch runs) and the last error. */
export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: OsmoseError | undefined;
  /** Reads it again now. */
  readonly reload: () => void;
}

/** Which events keep a resource current. */
export interface ResourceOptions<T> {
  /** The event whose data is the resource itself: taken as it comes, with no refetch. */
  readonly live?: { [K in DashboardEventName]: DashboardEvents[K] extends T ? K : never }[DashboardEventName];
  /** Events that mean the resource changed: each reads it again, at most once a second. */
  readonly refetchOn?: readonly DashboardEventName[];
}

const refetchGapMs = 1000;

/**
 * Reads `path` as JSON and keeps it current from the event stream. Every resource is also read
 * again when the stream reconnects, since events sent while it was down are lost. Refetches are
 * throttled rather than debounced so that a steady stream of heartbeats still shows.
 */
export function useResource<T>(path: string, options: ResourceOptions<T> = {}): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<OsmoseError | undefined>(undefined);
  const generation = useRef(0);

  const load = useCallback(() => {
    const mine = ++generation.current;
    getJson<T>(path).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure as OsmoseError);
      },
    );
  }, [path]);

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    load();
    let last = 0;
    let timer: number | undefined;
    const throttled = (): void => {
      if (timer !== undefined) return;
      const wait = Math.max(0, last + refetchGapMs - Date.now());
      timer = window.setTimeout(() => {
        timer = undefined;
        last = Date.now();
        load();
      }, wait);
    };
    const offs = [liveEvents.onReconnect(load), ...(options.refetchOn ?? []).map((name) => liveEvents.on(name, throttled))];
    if (options.live !== undefined) {
      offs.push(
        liveEvents.on(options.live, (value) => {
          generation.current++;
          setData(value as T);
          setError(undefined);
        }),
      );
    }
    return () => {
      generation.current++;
      if (timer !== undefined) window.clearTimeout(timer);
      for (const off of offs) off();
    };
    // The options are constants of each view; only the path changes a resource.
  }, [path, load]);

  return { data, error, reload: load };
}
