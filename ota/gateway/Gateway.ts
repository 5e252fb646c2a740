import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { gatewayServerName } from '../../kernel-js/agent/agentCredentials.js';
import { serveGatewayRpc } from '../../kernel-js/net/gatewayRpc.js';
import type { BoardRemote, Deployment, GatewayEvent, Health, Hello, SessionHandlers } from '../../kernel-js/net/gatewayTypes.js';
import { gatewayCredentials } from '../../builder/trust/gatewayCredentials.js';
import { checkBoardPeer } from '../../builder/trust/checkBoardPeer.js';
import { readBoardIdentities, type RecordedBoardIdentity } from '../../builder/trust/readBoardIdentities.js';
import { boardSystemCalls } from './boardSystemCalls.js';
import { BuildFiles } from './BuildFiles.js';
import { GatewayFleet, type FleetBoard } from './GatewayFleet.js';
import { frontDesk } from './peopleRoute.js';
import { PresenceDirectory } from './PresenceDirectory.js';
import { serveBoardFiles } from './serveBoardFiles.js';

export interface GatewayOptions {
  /** The building repository: its ledger, keys and identities. */
  readonly root: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** How often boards send heartbeats: a board on trial always does, since its health gate counts them. */
  readonly heartbeatMs?: number;
  /**
   * How often boards that are not on trial send heartbeats (heartbeatMs unless told). A settled
   * board need only say it is alive; its agent sends a heartbeat at once at every step of an
   * update anyway. A building of a thousand boards takes a fifth of the control traffic at 5 s.
   */
  readonly idleHeartbeatMs?: number;
  /** How often the rollout engine is ticked (windows, health timeouts). */
  readonly tickMs?: number;
  readonly onLog?: (line: string) => void;
  /** Every report from a board, as it arrives. */
  readonly onEvent?: (board: string, event: GatewayEvent) => void;
}

export interface GatewayCounters {
  readonly heartbeats: number;
  readonly refused: number;
  readonly bytesServed: number;
}

/**
 * The building's gateway (docs/gateway.md): one TLS 1.3 port with mutual authentication, on
 * which each connection says by ALPN what it is — `osmose-rpc`, the Cap'n Proto control plane
 * (enrolment, heartbeats, reports, offers), or `http/1.1`, the board's own image files with
 * Range. A peer is let in only with a certificate from the building CA over the identity key
 * the building recorded for it, not revoked, and for a board of the latest build; it can fetch
 * only its own files. The fleet (GatewayFleet) keeps every board's state and runs rollouts.
 */
export class Gateway {
  readonly fleet: GatewayFleet;
  /** Who is in each space: boards whose fragments are granted `presence` see their own space's (docs/gateway.md, "System calls"). */
  readonly presence = new PresenceDirectory();
  readonly #o: GatewayOptions;
  readonly #tls: TlsServer;
  readonly #http: HttpServer;
  readonly #peers = new WeakMap<object, string>();
  #identities: ReadonlyMap<string, RecordedBoardIdentity>;
  #counters = { heartbeats: 0, refused: 0, bytesServed: 0 };
  readonly #sockets = new Set<TLSSocket>();
  #reloading: Promise<void> | undefined;

  private constructor(options: GatewayOptions, tls: TlsServer, http: HttpServer, identities: ReadonlyMap<string, RecordedBoardIdentity>, fleet: GatewayFleet) {
    this.#o = options;
    this.#tls = tls;
    this.#http = http;
    this.#identities = identities;
    this.fleet = fleet;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const build = await BuildFiles.open(options.root);
    const names = [...new Set([gatewayServerName, 'localhost', options.listen.host].filter((name) => name !== '0.0.0.0' && name !== '::'))];
    const credentials = await gatewayCredentials(options.root, names);
    const identities = await readBoardIdentities(options.root);
    const fleet = await GatewayFleet.open({ root: options.root, build, ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }), ...(options.onLog === undefined ? {} : { onLog: options.onLog }) });
    const tls = createTlsServer({
      key: credentials.keyPem,
      cert: credentials.certPem,
      ca: credentials.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      ALPNProtocols: ['osmose-rpc', 'http/1.1'],
    });
    const http = createHttpServer({ keepAlive: true });
    const gateway = new Gateway(options, tls, http, identities, fleet);
    const files = serveBoardFiles({
      resolve: async (board, name) => {
        const slot = await fleet.slotFor(board);
        const ref = slot?.files.find((file) => file.name === name);
        const bytes = slot?.bytes.get(name);
        if (ref === undefined || bytes === undefined) return undefined;
        return { ...ref, read: () => Promise.resolve(bytes) };
      },
      onServed: (_board, _name, bytes) => {
        gateway.#counters.bytesServed += bytes;
      },
    });
    http.on('request', (request, response) => files(request, response, gateway.#peers.get(request.socket) ?? ''));
    tls.on('secureConnection', (socket) => {
      socket.pause();
      gateway.#accept(socket).catch(() => socket.destroy());
    });
    tls.on('tlsClientError', (error, socket) => {
      gateway.#counters.refused++;
      // A certificate that is not the building CA's fails here, before it names any board.
      options.onLog?.(`refused a TLS handshake from ${socket.remoteAddress ?? '?'}: ${error.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      tls.once('error', reject);
      tls.listen(options.listen.port, options.listen.host, () => {
        tls.off('error', reject);
        resolve();
      });
    });
    fleet.start();
    return gateway;
  }

  address(): { readonly host: string; readonly port: number } {
    const address = this.#tls.address() as AddressInfo;
    return { host: this.#o.listen.host, port: address.port };
  }

  get counters(): GatewayCounters {
    return { ...this.#counters };
  }

  /** Reads the identities again (a board revoked or given a new key since the gateway started). */
  async reloadIdentities(): Promise<void> {
    this.#reloading = undefined;
    await this.#reload();
  }

  async close(): Promise<void> {
    await this.fleet.close();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => this.#tls.close(() => resolve()));
    this.#http.close();
  }

  /** Reads the identities again, at most once a second however many boards knock at once. */
  #reload(): Promise<void> {
    if (this.#reloading === undefined) {
      this.#reloading = readBoardIdentities(this.#o.root).then((identities) => {
        this.#identities = identities;
        setTimeout(() => {
          this.#reloading = undefined;
        }, 1_000).unref();
      });
    }
    return this.#reloading;
  }

  async #accept(socket: TLSSocket): Promise<void> {
    let check = checkBoardPeer(this.#identities, socket.getPeerX509Certificate());
    // A board imaged (or revoked, or given a new identity) since the gateway read the identities: read them again.
    if (!check.ok && (check.code === 'peer.unknown' || check.code === 'peer.key-mismatch' || check.code === 'peer.revoked')) {
      await this.#reload();
      check = checkBoardPeer(this.#identities, socket.getPeerX509Certificate());
    }
    if (!check.ok || !this.fleet.knows(check.board)) {
      this.#counters.refused++;
      this.#o.onLog?.(`refused a connection from ${socket.remoteAddress ?? '?'}: ${check.ok ? `${check.board} is not a board of the latest build` : check.reason}`);
      socket.destroy();
      return;
    }
    const board = check.board;
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    this.#peers.set(socket, board);
    socket.resume();
    if (socket.alpnProtocol === 'http/1.1') {
      this.#http.emit('connection', socket);
      return;
    }
    if (socket.alpnProtocol !== 'osmose-rpc') {
      socket.destroy();
      return;
    }
    let session: FleetBoard | undefined;
    // The board's system calls, decided by the build the gateway serves now (never by the board).
    const systemCalls = boardSystemCalls({ board, build: () => this.fleet.build, presence: this.presence, onLog: (line) => this.#o.onLog?.(line), frontDesk: () => frontDesk(this, this.#o.root) });
    serveGatewayRpc(
      socket,
      {
        enrol: (hello: Hello, remote: BoardRemote): Promise<SessionHandlers> => {
          if (hello.board !== board) return Promise.reject(new Error(`this connection is ${board}'s; it cannot enrol as ${hello.board}`));
          session = this.fleet.enrol(hello, remote);
          return Promise.resolve({
            heartbeat: (health: Health) => {
              this.#counters.heartbeats++;
              session?.heartbeat(health);
              const heartbeatMs = this.#o.heartbeatMs ?? 1_000;
              return Promise.resolve({ sequence: health.sequence, intervalMs: health.agentState === 'trial' ? heartbeatMs : (this.#o.idleHeartbeatMs ?? heartbeatMs) });
            },
            report: (event: GatewayEvent) => {
              this.#o.onEvent?.(board, event);
              session?.report(event);
              return Promise.resolve();
            },
            ...systemCalls.calls,
          });
        },
      },
      {
        onClose: () => {
          session?.gone();
          systemCalls.close();
        },
      },
    );
  }
}

export type { Deployment };
