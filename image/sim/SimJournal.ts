import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isLoopback, processSockets } from './processSockets.js';

/** What happened in a simulated building, as its journal keeps it. */
export type JournalEvent =
  /** A digital output was driven (a lamp, a heater's relay). */
  | { readonly kind: 'output'; readonly board: string; readonly device: string; readonly level: number }
  /** Someone talked at one seat of a microphone array (`osmose sim talk`), starting now. */
  | { readonly kind: 'talk'; readonly board: string; readonly device: string; readonly channel: number; readonly seconds: number }
  /** The outside world pressed a button (`osmose sim press`). */
  | { readonly kind: 'press'; readonly board: string; readonly device: string }
  /** The gateway heard of someone in a space: arrived, left, expected there, no longer expected. */
  | { readonly kind: 'presence'; readonly space: string; readonly person: number; readonly who: string; readonly change: 'arrived' | 'left' | 'expected' | 'unexpected' }
  /** A recorder began a key epoch (began recording for these members) or ended one (paused). */
  | { readonly kind: 'recording'; readonly board: string; readonly device: string; readonly epoch: string; readonly change: 'begin' | 'end'; readonly members: number; readonly reason: string }
  /** A board erased someone from its recordings (what it removed, in counts: never who). */
  | { readonly kind: 'erased'; readonly board: string; readonly detail: string }
  /** A speaker played a clip, aimed at a person or to everyone. */
  | { readonly kind: 'played'; readonly board: string; readonly device: string; readonly clip: string; readonly person: number }
  /** A fragment's log line. */
  | { readonly kind: 'log'; readonly board: string; readonly instance: string; readonly level: number; readonly message: string }
  /** A host this process had a socket with, first seen now (its address, without the port). */
  | { readonly kind: 'peer'; readonly protocol: 'tcp' | 'udp'; readonly remote: string; readonly loopback: boolean }
  /** A line the story's teller adds (`osmose sim note`). */
  | { readonly kind: 'note'; readonly text: string };

/** An event as kept: numbered, and timed in milliseconds since the journal began (one monotonic clock for the whole process). */
export type JournalEntry = JournalEvent & { readonly seq: number; readonly at: number };

const kept = 20_000;

/**
 * The simulated building's journal: every output, press, presence change, recording epoch,
 * clip played and log line, timed on one monotonic clock. The gateway and every board run in
 * the simulator's process, so the time between a cause and its effect (a departure and the
 * recorder pausing) is measured on the same clock, to the microsecond. It also watches the
 * process's sockets, so it can show every peer the building talked to.
 */
export class SimJournal {
  readonly #origin = performance.now();
  readonly #entries: JournalEntry[] = [];
  readonly #peers = new Set<string>();
  #seq = 0;
  #stopPeers: (() => void) | undefined;

  record(event: JournalEvent): JournalEntry {
    const entry = { ...event, seq: ++this.#seq, at: Math.round((performance.now() - this.#origin) * 1000) / 1000 } as JournalEntry;
    this.#entries.push(entry);
    if (this.#entries.length > kept) this.#entries.splice(0, this.#entries.length - kept);
    return entry;
  }

  /** Entries after `seq` (all kept ones for 0), oldest first. */
  since(seq = 0): JournalEntry[] {
    return this.#entries.filter((entry) => entry.seq > seq);
  }

  /**
   * Records every peer of every socket of this process, as it first appears: a look at the
   * kernel's socket tables every `everyMs`, and each new TCP client socket as it connects
   * (so one that opens and closes between two looks is seen too). Stops with the returned
   * function.
   */
  watchPeers(everyMs = 200): () => void {
    if (this.#stopPeers !== undefined) return this.#stopPeers;
    const look = (): void => {
      for (const socket of processSockets()) if (socket.connected) this.#peer(socket.protocol, socket.remote);
    };
    const onSocket = (message: unknown): void => {
      const socket = (message as { socket?: Socket }).socket;
      socket?.once('connect', () => {
        const host = socket.remoteAddress;
        if (host !== undefined) this.#peer('tcp', host.includes(':') ? `[${host}]:${socket.remotePort ?? 0}` : `${host}:${socket.remotePort ?? 0}`);
      });
    };
    subscribe('net.client.socket', onSocket);
    look();
    const timer = setInterval(look, everyMs);
    timer.unref();
    this.#stopPeers = () => {
      clearInterval(timer);
      unsubscribe('net.client.socket', onSocket);
      this.#stopPeers = undefined;
    };
    return this.#stopPeers;
  }

  /** Every peer host seen so far, with how many distinct endpoints (address and port) of it. */
  peers(): { readonly protocol: 'tcp' | 'udp'; readonly host: string; readonly loopback: boolean; readonly endpoints: number }[] {
    const hosts = new Map<string, { protocol: 'tcp' | 'udp'; host: string; loopback: boolean; endpoints: number }>();
    for (const key of this.#peers) {
      const [protocol, endpoint = ''] = key.split(' ') as ['tcp' | 'udp', string];
      const host = endpoint.slice(0, endpoint.lastIndexOf(':'));
      const seen = hosts.get(`${protocol} ${host}`) ?? { protocol, host, loopback: isLoopback(endpoint), endpoints: 0 };
      seen.endpoints++;
      hosts.set(`${protocol} ${host}`, seen);
    }
    return [...hosts.values()];
  }

  /** An event per new peer host (ports come and go; the address says where data went), and a count of its endpoints. */
  #peer(protocol: 'tcp' | 'udp', remote: string): void {
    const endpoint = remote.replace(/^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]/, '$1');
    const host = endpoint.slice(0, endpoint.lastIndexOf(':'));
    const key = `${protocol} ${endpoint}`;
    if (this.#peers.has(key)) return;
    const known = [...this.#peers].some((seen) => seen.startsWith(`${protocol} ${host}:`));
    this.#peers.add(key);
    if (!known) this.record({ kind: 'peer', protocol, remote: host, loopback: isLoopback(endpoint) });
  }
}
