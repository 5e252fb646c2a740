import { isOsmoseError } from '../../lib/OsmoseError.js';
import type { KernelFragment } from '../boot/KernelImage.js';
import { abiCodes } from '../host/abiCodes.js';
import type { LogSinkHandlers, NetworkHandlers, PresenceListenerHandlers, SessionRemote } from '../net/gatewayTypes.js';
import { GatewayPresence } from './GatewayPresence.js';

/** A capability a fragment's configuration lists but the gateway refused (its build may be newer than the board's). */
export interface RefusedCapability {
  readonly fragment: string;
  readonly capability: string;
  readonly code: string;
  readonly message: string;
}

/** What one attach obtained: capabilities held, as `fragment:capability`, and those refused. */
export interface SystemCallsState {
  readonly held: readonly string[];
  readonly refused: readonly RefusedCapability[];
}

/**
 * The board's side of the system calls (docs/gateway.md, "System calls"): for each session
 * with the gateway, the update agent attaches it with the fragments of the board's running
 * configuration, and this obtains the capabilities their policies grant — every fragment's log
 * sink, the board's presence (watched once, for the first fragment granted it: every fragment
 * of a board sees the same space, who is in it and who is expected), and network.external
 * references — and offers them to the booted board. Without a session there is nothing:
 * presence is empty, logs stay local.
 */
export class BoardSystemCalls {
  /** What the agent hands bootBoard: fed by the gateway while a session lasts. */
  readonly presence = new GatewayPresence();
  #generation = 0;
  #sinks = new Map<string, LogSinkHandlers>();
  #networks = new Map<string, NetworkHandlers>();
  #attached: Promise<SystemCallsState> = Promise.resolve({ held: [], refused: [] });

  /**
   * Obtains `fragments`' capabilities on `session`, replacing whatever an earlier attach held
   * (another session, or the same one before the board restarted into another slot).
   */
  attach(session: SessionRemote, fragments: readonly KernelFragment[]): Promise<SystemCallsState> {
    this.#drop();
    const generation = this.#generation;
    this.#attached = this.#attach(session, fragments, generation);
    return this.#attached;
  }

  /** The link to the gateway is gone: every reference with it, and everyone leaves the board's presence. */
  detach(): void {
    this.#drop();
    this.#attached = Promise.resolve({ held: [], refused: [] });
  }

  /** What the latest attach obtained, once it has. */
  attached(): Promise<SystemCallsState> {
    return this.#attached;
  }

  /**
   * A unikernel's log line (the Watchdog's onLog): warnings and worse go to the gateway when
   * the fragment holds a log sink. Lost when there is no session; the board's own log keeps it.
   */
  log(instance: string, level: number, message: string): void {
    if (level < abiCodes.logLevel.Warn) return;
    this.#sinks.get(instance)?.write(level, message).catch(() => undefined);
  }

  /** The fragment's network.external reference, when it holds one. No ABI function reaches it yet. */
  network(instance: string): NetworkHandlers | undefined {
    return this.#networks.get(instance);
  }

  #drop(): void {
    this.#generation++;
    this.#sinks = new Map();
    this.#networks = new Map();
    this.presence.clear();
  }

  async #attach(session: SessionRemote, fragments: readonly KernelFragment[], generation: number): Promise<SystemCallsState> {
    const held: string[] = [];
    const refused: RefusedCapability[] = [];
    const current = (): boolean => generation === this.#generation;
    const obtain = async <T>(fragment: string, capability: string, get: () => Promise<T>, keep: (value: T) => Promise<void> | void): Promise<void> => {
      try {
        const value = await get();
        if (!current()) return;
        await keep(value);
        held.push(`${fragment}:${capability}`);
      } catch (error) {
        refused.push({ fragment, capability, code: isOsmoseError(error) ? error.code : 'rpc.failed', message: error instanceof Error ? error.message : String(error) });
      }
    };
    const sinks = this.#sinks;
    const networks = this.#networks;
    const watcher = fragments.find((fragment) => fragment.capabilities.includes('presence'));
    await Promise.all([
      ...fragments.map((fragment) => obtain(fragment.instance, 'log', () => session.log(fragment.instance), (sink) => void sinks.set(fragment.instance, sink))),
      ...fragments
        .filter((fragment) => fragment.capabilities.includes('network.external'))
        .map((fragment) => obtain(fragment.instance, 'network.external', () => session.network(fragment.instance), (network) => void networks.set(fragment.instance, network))),
      ...(watcher === undefined ? [] : [obtain(watcher.instance, 'presence', () => session.presence(watcher.instance), (presence) => presence.watch(this.#listener(generation), { expected: true }))]),
    ]);
    return { held: held.sort(), refused };
  }

  /** A watch's listener: it applies changes while its attach is the latest, and asks the gateway to stop after. */
  #listener(generation: number): PresenceListenerHandlers {
    return {
      changed: (change) => {
        if (generation !== this.#generation) return Promise.resolve(false);
        this.presence.apply(change);
        return Promise.resolve(true);
      },
      ended: () => {
        // The grant was taken away: what the board knew of its space is no longer its to keep.
        if (generation === this.#generation) this.presence.clear();
        return Promise.resolve();
      },
    };
  }
}
