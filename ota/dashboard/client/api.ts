import type { DashboardDevicesView, DashboardError, DashboardOverview, DashboardRollouts } from '../DashboardApi.js';
import { OsmoseError } from '../../../lib/OsmoseError.js';

/**
 * The page's only ways to reach the gateway: JSON over fetch, and one EventSource for the
 * live updates. Every view goes through here so that errors look the same everywhere (an
 * OsmoseError with the server's code, message and hint) and so that one stream serves them all.
 */

/** What each server-sent event carries (DashboardApi.ts lists them). */
export interface DashboardEvents {
  readonly overview: DashboardOverview;
  readonly rollouts: DashboardRollouts;
  readonly devices: DashboardDevicesView;
  readonly ledger: { readonly head: string };
}

export type DashboardEventName = keyof DashboardEvents;

/** Whether the event stream is open; the browser reconnects by itself after an error. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** GETs `path` and returns its JSON; a refusal becomes an OsmoseError carrying the server's code and hint. */
export async function getJson<T>(path: string): Promise<T> {
  return request<T>('GET', path, undefined);
}

/**
 * Sends `body` as JSON (every POST says so in its Content-Type: the server refuses anything
 * else) and returns the answer's JSON. The session cookie goes along: operator actions need it.
 */
export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body);
}

async function request<T>(method: string, path: string, body: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new OsmoseError('dashboard.unreachable', `The gateway did not answer ${method} ${path}.`, { hint: 'check that the gateway is still running; the page retries when its event stream reconnects', cause });
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const error = isDashboardError(parsed) ? parsed.error : undefined;
    throw new OsmoseError(error?.code ?? 'dashboard.http', error?.message ?? `${method} ${path} answered ${response.status} ${response.statusText}.`, error?.hint === undefined ? {} : { hint: error.hint });
  }
  if (parsed === undefined) throw new OsmoseError('dashboard.bad-answer', `${method} ${path} did not answer JSON.`, { hint: 'the gateway and this page may be of different versions; reload the page' });
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isDashboardError(value: unknown): value is DashboardError {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

type Listener<T> = (data: T) => void;

/**
 * The one EventSource of the page, opened on first use. Views subscribe to the events they
 * show; `onReconnect` listeners run when the stream opens again after a break, since events
 * sent while it was down are lost and each view must read its state afresh.
 */
class LiveEvents {
  #source: EventSource | undefined;
  #state: ConnectionState = 'connecting';
  #wasOpen = false;
  readonly #listeners = new Map<DashboardEventName, Set<Listener<never>>>();
  readonly #stateListeners = new Set<Listener<ConnectionState>>();
  readonly #reconnectListeners = new Set<() => void>();

  get state(): ConnectionState {
    return this.#state;
  }

  on<K extends DashboardEventName>(name: K, listener: Listener<DashboardEvents[K]>): () => void {
    this.#open();
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
      this.#source?.addEventListener(name, (event) => this.#dispatch(name, event));
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: Listener<ConnectionState>): () => void {
    this.#open();
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.#open();
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  #open(): void {
    if (this.#source !== undefined) return;
    const source = new EventSource('/api/events');
    this.#source = source;
    for (const name of this.#listeners.keys()) source.addEventListener(name, (event) => this.#dispatch(name, event));
    source.addEventListener('open', () => {
      this.#setState('live');
      if (this.#wasOpen) for (const listener of this.#reconnectListeners) listener();
      this.#wasOpen = true;
    });
    source.addEventListener('error', () => {
      this.#setState('reconnecting');
      // The browser retries by itself after a network error, but gives up on an answer that is
      // not an event stream (the gateway restarting behind a proxy, say): then try again later.
      if (source.readyState !== EventSource.CLOSED) return;
      this.#source = undefined;
      this.#wasOpen = true;
      window.setTimeout(() => this.#open(), 3000);
    });
  }

  #dispatch(name: DashboardEventName, event: Event): void {
    if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return;
    const data = parseJson(event.data);
    if (data === undefined) return;
    for (const listener of this.#listeners.get(name) ?? []) (listener as Listener<unknown>)(data);
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }
}

/** The page's event stream. */
export const liveEvents = new LiveEvents();
