import type { Admission, AdmitRequest, EntranceHandlers, FetchAnswer, LogSinkHandlers, NetworkHandlers, PresenceHandlers, PresenceListenerHandlers, SystemCallHandlers } from '../../kernel-js/net/gatewayTypes.js';
import type { Capability } from '../../lib/capabilities.js';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { checkGrant, type GrantSource } from './checkGrant.js';
import { defaultFetchLimits, fetchExternal, type FetchLimits } from './fetchExternal.js';
import type { FrontDesk } from './peopleRoute.js';
import type { PresenceDirectory } from './PresenceDirectory.js';

export interface BoardSystemCallsOptions {
  /** The board at the other end of the session, as its certificate proved it. */
  readonly board: string;
  /** The build the gateway serves now; grants are read from it at every call, not once. */
  readonly build: () => GrantSource;
  readonly presence: PresenceDirectory;
  /** Where fragments' log lines, fetches and refusals are written. */
  readonly onLog: (line: string) => void;
  readonly fetchLimits?: FetchLimits;
  /** Makes the request for `network.external` (fetchExternal unless told). */
  readonly fetch?: (url: string, limits: FetchLimits) => Promise<FetchAnswer>;
  /** The building's front desk, for an entrance board's admit; without it, admit answers `rpc.unimplemented`. */
  readonly frontDesk?: () => FrontDesk;
}

/** The longest log line a fragment gets into the gateway's log. */
const maxLogLength = 2_000;

const levelNames = ['debug', 'info', 'warn', 'error', 'fatal'];

/**
 * The system calls of one board's session: each getter checks the grant in the gateway's copy
 * of the latest build and hands out an object that checks it again at every call, so a build
 * that takes a grant away voids the references already handed out. Presence watches stop when
 * the session does (close); a reference cannot outlive its connection anyway, since capnp
 * capabilities belong to one connection.
 */
export function boardSystemCalls(options: BoardSystemCallsOptions): { readonly calls: SystemCallHandlers & EntranceHandlers; close(): void } {
  const { board } = options;
  const watches = new Set<() => void>();
  let closed = false;

  /** The grant for a getter: refused with rpc.capability-denied. */
  const grant = (fragment: string, capability: Capability): { space: string } => {
    const build = options.build();
    const check = checkGrant(build, board, fragment, capability);
    if (check.ok) return { space: check.space };
    options.onLog(`refused ${capability} to ${fragment} on ${board}: ${check.reason}`);
    throw new OsmoseError('rpc.capability-denied', check.message, { hint: check.hint, data: { board, fragment, capability, build: build.commit, reason: check.reason } });
  };

  /** The grant again, for a call on a reference handed out earlier: rpc.capability-revoked once it is gone. */
  const still = (fragment: string, capability: Capability): { space: string } => {
    const void_ = (why: string, hint: string, reason: string, build?: string): OsmoseError =>
      new OsmoseError('rpc.capability-revoked', `the ${capability} reference of ${fragment} on ${board} is void: ${why}`, { hint, data: { board, fragment, capability, reason, ...(build === undefined ? {} : { build }) } });
    if (closed) throw void_('its session has ended', 'ask for the capability again on the new session', 'session-ended');
    const build = options.build();
    const check = checkGrant(build, board, fragment, capability);
    if (check.ok) return { space: check.space };
    options.onLog(`refused a call on ${capability} of ${fragment} on ${board}: the grant is gone (${check.reason})`);
    throw void_(check.message, check.hint, check.reason, build.commit);
  };

  const presence = (fragment: string): PresenceHandlers => ({
    people: () => attempt(() => options.presence.people(still(fragment, 'presence').space)),
    watch: (listener, options) => attempt(() => watchSpace(fragment, still(fragment, 'presence').space, listener, options?.expected ?? false)),
  });

  const watchSpace = (fragment: string, space: string, listener: PresenceListenerHandlers, expected: boolean): void => {
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      unwatch();
      watches.delete(stop);
    };
    const push = (change: Parameters<PresenceListenerHandlers['changed']>[0]): void => {
      // A board that did not ask for expectations would take each for an arrival.
      if (stopped || (change.coming === true && !expected)) return;
      // The grant is checked at every push too: a revoked watch is ended, not left to leak.
      const check = checkGrant(options.build(), board, fragment, 'presence');
      if (!check.ok || check.space !== space) {
        stop();
        listener.ended(check.ok ? `${board} is no longer in ${space}` : check.message).catch(() => undefined);
        return;
      }
      listener.changed(change).then(
        (keep) => {
          if (!keep) stop();
        },
        () => stop(),
      );
    };
    const unwatch = options.presence.watch(space, push);
    watches.add(stop);
    // Everyone present now, as arrivals, then everyone expected, sent before any later change
    // can be: the board's copy starts from nothing and needs no snapshot to reconcile.
    for (const person of options.presence.people(space)) push({ person, arrived: true });
    for (const person of options.presence.expected(space)) push({ person, arrived: true, coming: true });
  };

  const log = (fragment: string): LogSinkHandlers => ({
    write: (level, message) =>
      attempt(() => {
        still(fragment, 'log');
        // One line per write: a fragment cannot forge lines of the gateway's log.
        const text = message.replace(/\p{Cc}+/gu, ' ');
        const cut = text.length > maxLogLength ? `${text.slice(0, maxLogLength)}… (${text.length - maxLogLength} more characters)` : text;
        options.onLog(`${board} ${fragment}: ${levelNames[level] ?? `level ${level}`}: ${cut}`);
      }),
  });

  const network = (fragment: string): NetworkHandlers => ({
    fetch: async (url) => {
      still(fragment, 'network.external');
      const answer = await (options.fetch ?? fetchExternal)(url, options.fetchLimits ?? defaultFetchLimits);
      options.onLog(`${board} ${fragment}: GET ${url}: ${answer.status}, ${answer.body.length} bytes`);
      return answer;
    },
  });

  /**
   * Someone showed a credential to the board: only a board the gateway's own build places in a
   * space of kind entrance may admit, so a door elsewhere cannot let people in (or learn the
   * pseudonym behind a badge). The credential is neither logged nor put in any error.
   */
  const admit = async (request: AdmitRequest): Promise<Admission> => {
    const build = options.build();
    const planned = build.plan.boards.find((entry) => entry.id === board);
    const space = planned?.space.at(-1);
    if (planned === undefined || space === undefined || planned.place.kind !== 'entrance') {
      const where = planned === undefined || space === undefined ? `is not a board of build ${build.commit.slice(0, 12)}` : `is in ${space}, a space of kind ${planned.place.kind}`;
      options.onLog(`refused admit to ${board}: it ${where}, not an entrance`);
      throw new OsmoseError('rpc.capability-denied', `${board} ${where}, not an entrance: only a board in a space of kind entrance admits people`, {
        hint: 'show the badge to the entrance door board, or give its space kind: entrance in building.yaml and build',
        data: { board, capability: 'admit', build: build.commit, reason: 'not-an-entrance' },
      });
    }
    const desk = options.frontDesk?.();
    if (desk === undefined) {
      throw new OsmoseError('rpc.unimplemented', `this gateway keeps no register of people: ${board} cannot admit anyone here`, { hint: "run the building's own gateway (osmose gateway)", data: { method: 'Session.admit' } });
    }
    const { credential, destination, preferences } = request;
    const body = {
      ...(credential.password === undefined ? { badge: credential.badge } : { password: credential.password }),
      ...(destination === undefined ? {} : { to: destination }),
      ...(preferences === undefined ? {} : { preferences }),
    };
    const arrival = await desk.admit(body, space);
    // Who it was stays out of the log: an erasure forgets the pseudonym everywhere but in log files.
    options.onLog(`${board} admitted ${arrival.returning ? 'someone returning' : 'someone new'} at ${arrival.space}`);
    return { pseudonym: arrival.pseudonym, returning: arrival.returning, handle: arrival.handle, space: arrival.space, destination: arrival.destination, preferences: arrival.preferences };
  };

  return {
    calls: {
      presence: (fragment) => attempt(() => (grant(fragment, 'presence'), presence(fragment))),
      log: (fragment) => attempt(() => (grant(fragment, 'log'), log(fragment))),
      network: (fragment) => attempt(() => (grant(fragment, 'network.external'), network(fragment))),
      admit,
    },
    close: () => {
      closed = true;
      for (const stop of [...watches]) stop();
    },
  };
}

/** Runs `run` now; what it returns or throws, as a promise. */
function attempt<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
