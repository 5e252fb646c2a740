import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { KernelError } from '../KernelError.js';
import type { ChannelSendResult } from '../host/KernelChannels.js';
import { LinkConnection, messageCost, type ConnectionEnd, type LinkEnd } from './LinkConnection.js';
import type { StreamChannel } from './StreamChannel.js';
import { StreamListener } from './StreamListener.js';
import { TokenBucket, type BandwidthReservation } from './TokenBucket.js';

export interface StreamLinkOptions {
  /** The circuit's id, as the board's configuration names it: the salt of every key the link derives. */
  readonly circuit: string;
  /** The circuit's 32-byte pairwise key, the same in both boards' signed configurations. */
  readonly key: Uint8Array;
  /** Which end this board is: the app end listens, the device end dials the app end's address. */
  readonly end: LinkEnd;
  /**
   * The app end's address: where the device end dials; where the app end listens when it is
   * not given `listener` (port 0: any free port, see `address`).
   */
  readonly address: { readonly host: string; readonly port: number };
  /**
   * Where the device end dials, asked again at every attempt; undefined: the app end is not
   * listening yet, so wait and ask again. Without it the device end dials `address`. The
   * simulator's boards listen on ports of their own choosing and find each other this way.
   */
  readonly resolve?: () => { readonly host: string; readonly port: number } | undefined;
  /** The app end's board-wide stream listener, shared by every stream circuit the board is the app end of. */
  readonly listener?: StreamListener;
  /** The largest message, in bytes; default 64 KiB. Both ends must agree: a longer frame ends the connection. */
  readonly maxMessageBytes?: number;
  /**
   * Bytes this end lets the other send ahead of its consumer: what may wait here, received and
   * not yet taken, at most. Default 256 KiB; at least maxMessageBytes.
   */
  readonly window?: number;
  /** The link's bandwidth reservation for what this end sends; none: as fast as credit allows. */
  readonly reservation?: BandwidthReservation;
  /** Milliseconds, for the reservation's token bucket; default performance.now. Tests pass their own. */
  readonly clock?: () => number;
  /** The device end's wait before dialing again after a cut or a failed attempt: doubling from firstMs (default 50) up to maxMs (default 5,000). */
  readonly backoff?: { readonly firstMs?: number; readonly maxMs?: number };
  /** How long a new connection has to authenticate; default 5,000 ms. */
  readonly handshakeTimeoutMs?: number;
}

/** What a link has seen since it was opened. */
export interface StreamLinkCounters {
  /** Connections that authenticated and carried the link. */
  connections: number;
  /** Connections ended because their first frames did not authenticate under the circuit key. */
  refused: number;
  /** Frames that did not authenticate on an open connection (forged, corrupted, replayed): each ended its connection. */
  forged: number;
  /** Authenticated frames that broke the protocol (past the credit granted): each ended its connection. */
  violations: number;
  /** Open connections lost (cut, forged, violation). */
  cuts: number;
  /** Sends answered busy: out of credit or of reserved bandwidth. */
  busy: number;
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
}

interface Waiter {
  readonly cost: number;
  resolve(): void;
  reject(error: Error): void;
}

// Connections allowed to be in their handshake at once on the app end; more are dropped, so
// strangers cannot hold the board's memory with half-open connections.
const maxPendingConnections = 8;

/**
 * One end of a stream circuit between two boards: a KernelChannel over TCP whose frames are
 * sealed with AES-256-GCM under keys derived from the circuit's pairwise key, with credit-based
 * flow control and an optional bandwidth reservation.
 *
 * The app end listens on its address, the device end dials it and dials again after a cut,
 * waiting longer after each failure. A connection carries the link only once both sides proved
 * they hold the circuit key (linkTable.ts); a newer authenticated connection replaces the
 * current one, which is how the app end learns that the device end came back after a cut it
 * had not noticed.
 *
 * Flow control: each end grants the other a window of bytes; a sender never has more unacknowledged
 * bytes out than its credit, and its consumer's taking data is what grants more. send answers
 * busy instead of queueing, so nothing is buffered without bound on either side: at most the
 * window waits at the receiver for its consumer (delivered to onMessage listeners; without a
 * listener it waits, and no credit goes back). What was in flight when a connection is cut is
 * lost, as a stream's data loses its worth with time; while no connection is up, send answers
 * unavailable.
 */
export class StreamLink implements StreamChannel {
  readonly maxMessageBytes: number;
  readonly counters: StreamLinkCounters = { connections: 0, refused: 0, forged: 0, violations: 0, cuts: 0, busy: 0, messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };
  readonly #options: StreamLinkOptions;
  readonly #window: number;
  /** Credit taken by the consumer and not yet granted back before the link grants it in one frame. */
  readonly #grantThreshold: number;
  readonly #clock: () => number;
  readonly #bucket: TokenBucket | undefined;
  readonly #listeners = new Set<(message: Uint8Array) => void>();
  /** Received, not yet taken by a listener, oldest first; and what they count against the window. */
  readonly #inbound: { readonly payload: Uint8Array; readonly cost: number }[] = [];
  #held = 0;
  #ungranted = 0;
  #current: LinkConnection | undefined;
  readonly #pending = new Set<LinkConnection>();
  #listener: StreamListener | undefined;
  /** Whether the listener is this link's own, to close with it. */
  #ownListener = false;
  #detach: (() => void) | undefined;
  #waiters: Waiter[] = [];
  #connectedWaiters: Waiter[] = [];
  #tokenTimer: NodeJS.Timeout | undefined;
  #dialTimer: NodeJS.Timeout | undefined;
  #failedDials = 0;
  #closed = false;

  private constructor(options: StreamLinkOptions) {
    const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
    const window = options.window ?? Math.max(256 * 1024, maxMessageBytes);
    checkOptions(options, maxMessageBytes, window);
    this.#options = options;
    this.maxMessageBytes = maxMessageBytes;
    this.#window = window;
    // Granted in batches of a quarter window, but never so late that the sender, having sent
    // everything it had credit for, is left without room for one largest message.
    this.#grantThreshold = Math.max(1, Math.min(Math.floor(window / 4), window - maxMessageBytes + 1));
    this.#clock = options.clock ?? (() => performance.now());
    if (options.reservation !== undefined) {
      if (options.reservation.burstBytes < maxMessageBytes) {
        throw new KernelError('stream.reservation', `circuit ${options.circuit}: a ${options.reservation.burstBytes}-byte burst cannot carry a ${maxMessageBytes}-byte message`, {
          hint: 'make the reservation\'s burstBytes at least maxMessageBytes',
          data: { circuit: options.circuit, burstBytes: options.reservation.burstBytes, maxMessageBytes },
        });
      }
      this.#bucket = new TokenBucket(options.reservation, this.#clock());
    }
  }

  /**
   * Opens a link end: the app end once it listens (its address known), the device end at once,
   * dialing in the background until the app end answers; `whenConnected()` says when.
   */
  static async open(options: StreamLinkOptions): Promise<StreamLink> {
    const link = new StreamLink(options);
    if (options.end === 'app') await link.#listen();
    else link.#dial();
    return link;
  }

  /** Where the app end listens (with the port chosen when asked for port 0); where the device end dials. */
  get address(): { readonly host: string; readonly port: number } {
    return this.#listener?.address ?? this.#options.address;
  }

  /** Whether a connection carries the link now. */
  get connected(): boolean {
    return this.#current !== undefined;
  }

  /** Bytes this end may send now before the other side's consumer takes some. */
  get credit(): number {
    return this.#current?.credit ?? 0;
  }

  /** Bytes received and waiting for a listener (at most the window). */
  get waitingBytes(): number {
    return this.#held;
  }

  /** Resolves once a connection carries the link (at once when one does); rejects once the link is closed. */
  whenConnected(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.#options.circuit));
    if (this.#current !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ cost: 0, resolve, reject }));
  }

  send(message: Uint8Array): ChannelSendResult {
    if (message.length > this.maxMessageBytes) {
      throw new KernelError('kernel.channel-too-large', `a ${message.length}-byte message is larger than circuit ${this.#options.circuit}'s ${this.maxMessageBytes} bytes`, {
        hint: 'the host answers TooLarge before sending; check maxMessageBytes first',
        data: { circuit: this.#options.circuit, length: message.length, maxMessageBytes: this.maxMessageBytes },
      });
    }
    const connection = this.#current;
    if (connection === undefined || this.#closed) return 'unavailable';
    const cost = messageCost(message.length);
    if (connection.credit < cost || (this.#bucket !== undefined && !this.#bucket.take(cost, this.#clock()))) {
      this.counters.busy++;
      return 'busy';
    }
    connection.sendData(message);
    this.counters.messagesSent++;
    this.counters.bytesSent += message.length;
    return 'ok';
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    if (this.#closed) return () => undefined;
    this.#listeners.add(listener);
    // What waited for a listener goes first, within this call, as a memory channel does.
    while (this.#inbound.length > 0 && this.#listeners.size > 0) {
      const next = this.#inbound.shift();
      if (next === undefined) break;
      this.#held -= next.cost;
      this.#deliver(next.payload, next.cost);
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  writable(bytes = 1): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.#options.circuit));
    const cost = messageCost(Math.min(bytes, this.maxMessageBytes));
    if (this.#canSend(cost)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ cost, resolve, reject });
      this.#wake();
    });
  }

  /** Stops listening or dialing and ends every connection; waiting writable and whenConnected calls reject. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#dialTimer);
    clearTimeout(this.#tokenTimer);
    this.#listeners.clear();
    this.#detach?.();
    if (this.#ownListener) this.#listener?.close();
    this.#current?.end('closed');
    for (const connection of [...this.#pending]) connection.end('closed');
    const error = closedError(this.#options.circuit);
    for (const waiter of [...this.#waiters.splice(0), ...this.#connectedWaiters.splice(0)]) waiter.reject(error);
  }

  async #listen(): Promise<void> {
    this.#listener = this.#options.listener;
    if (this.#listener === undefined) {
      this.#listener = await StreamListener.listen(this.#options.address, { helloTimeoutMs: this.#options.handshakeTimeoutMs ?? 5_000 });
      this.#ownListener = true;
    }
    this.#detach = this.#listener.attach(this.#options.circuit, (socket, initial) => {
      if (this.#closed || this.#pending.size >= maxPendingConnections) {
        socket.destroy();
        return;
      }
      this.#adoptPending(this.#connection(socket, initial));
    });
  }

  #dial(): void {
    if (this.#closed) return;
    const target = this.#options.resolve === undefined ? this.#options.address : this.#options.resolve();
    if (target === undefined) {
      this.#dialLater(false);
      return;
    }
    const socket = connect({ host: target.host, port: target.port });
    this.#adoptPending(this.#connection(socket));
  }

  /** Keeps a new connection while it authenticates; one refused at its first bytes is already gone. */
  #adoptPending(connection: LinkConnection): void {
    if (!connection.ended && connection.state !== 'open') this.#pending.add(connection);
  }

  #connection(socket: Socket, initial?: Buffer): LinkConnection {
    return new LinkConnection({
      socket,
      ...(initial === undefined ? {} : { initial }),
      end: this.#options.end,
      circuit: this.#options.circuit,
      key: this.#options.key,
      maxMessageBytes: this.maxMessageBytes,
      handshakeTimeoutMs: this.#options.handshakeTimeoutMs ?? 5_000,
      // A new connection grants what is free of the window: what still waits for a listener
      // from the connection before counts against it.
      window: () => this.#window - this.#held,
      onOpen: (connection) => this.#onOpen(connection),
      onData: (connection, payload, cost) => this.#onData(connection, payload, cost),
      onCredit: () => this.#wake(),
      onEnd: (connection, why) => this.#onEnd(connection, why),
    });
  }

  #onOpen(connection: LinkConnection): void {
    this.#pending.delete(connection);
    if (this.#closed) {
      connection.end('closed');
      return;
    }
    const previous = this.#current;
    this.#current = connection;
    this.#ungranted = 0;
    this.#failedDials = 0;
    this.counters.connections++;
    previous?.end('replaced');
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.resolve();
    this.#wake();
  }

  #onData(connection: LinkConnection, payload: Uint8Array, cost: number): void {
    if (connection !== this.#current) return;
    this.counters.messagesReceived++;
    this.counters.bytesReceived += payload.length;
    if (this.#listeners.size > 0 && this.#inbound.length === 0) {
      this.#deliver(payload, cost);
    } else {
      this.#inbound.push({ payload, cost });
      this.#held += cost;
    }
  }

  #onEnd(connection: LinkConnection, why: ConnectionEnd): void {
    this.#pending.delete(connection);
    if (why === 'refused') this.counters.refused++;
    if (why === 'forged') this.counters.forged++;
    if (why === 'violation') this.counters.violations++;
    const wasCurrent = connection === this.#current;
    if (wasCurrent) {
      this.#current = undefined;
      if (why !== 'closed' && why !== 'replaced') this.counters.cuts++;
    }
    if (this.#options.end === 'device' && !this.#closed && why !== 'replaced' && this.#pending.size === 0 && this.#current === undefined) this.#dialLater(wasCurrent);
  }

  /**
   * A working connection that was cut is dialed again after the first wait; each attempt that
   * fails after that waits twice as long as the one before, up to maxMs.
   */
  #dialLater(wasWorking: boolean): void {
    const firstMs = this.#options.backoff?.firstMs ?? 50;
    const maxMs = this.#options.backoff?.maxMs ?? 5_000;
    const delay = wasWorking ? firstMs : Math.min(maxMs, firstMs * 2 ** this.#failedDials++);
    clearTimeout(this.#dialTimer);
    this.#dialTimer = setTimeout(() => this.#dial(), delay);
  }

  #deliver(payload: Uint8Array, cost: number): void {
    let first = true;
    for (const listener of [...this.#listeners]) {
      // Each listener gets its own copy: a host keeps what it is given.
      listener(first ? payload : Uint8Array.from(payload));
      first = false;
    }
    this.#taken(cost);
  }

  /** The consumer took `cost` bytes: once enough is taken, it goes back to the sender as credit. */
  #taken(cost: number): void {
    this.#ungranted += cost;
    const connection = this.#current;
    if (connection === undefined || this.#ungranted < this.#grantThreshold) return;
    connection.grant(this.#ungranted);
    this.#ungranted = 0;
  }

  #canSend(cost: number): boolean {
    const connection = this.#current;
    return connection !== undefined && connection.credit >= cost && (this.#bucket === undefined || this.#bucket.tokens(this.#clock()) >= cost);
  }

  /** Resolves the writable waiters that may send now; those short only of tokens look again when the bucket will have them. */
  #wake(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    let soonest = Infinity;
    for (const waiter of this.#waiters) {
      if (this.#canSend(waiter.cost)) {
        waiter.resolve();
      } else {
        still.push(waiter);
        if (this.#bucket !== undefined && this.#current !== undefined && this.#current.credit >= waiter.cost) soonest = Math.min(soonest, this.#bucket.msUntil(waiter.cost, this.#clock()));
      }
    }
    this.#waiters = still;
    if (soonest !== Infinity && this.#tokenTimer === undefined) {
      this.#tokenTimer = setTimeout(() => {
        this.#tokenTimer = undefined;
        this.#wake();
      }, Math.max(1, Math.ceil(soonest)));
    }
  }
}

function closedError(circuit: string): KernelError {
  return new KernelError('stream.closed', `stream circuit ${circuit} is closed: nothing more can be sent`, { data: { circuit } });
}

function checkOptions(options: StreamLinkOptions, maxMessageBytes: number, window: number): void {
  const refuse = (field: string, problem: string, value: unknown): KernelError =>
    new KernelError('stream.link-option', `stream circuit ${options.circuit}: ${field} ${problem}, not ${String(value)}`, { data: { circuit: options.circuit, [field]: value } });
  if (options.circuit === '') throw refuse('circuit', 'is the circuit\'s id', '""');
  if (options.key.length !== 32) throw refuse('key', 'is 32 bytes (64 hex digits in the configuration)', `${options.key.length} bytes`);
  if (options.end !== 'app' && options.end !== 'device') throw refuse('end', 'is app or device', options.end);
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes > 16 * 1024 * 1024) throw refuse('maxMessageBytes', 'is a whole number from 1 to 16 MiB', maxMessageBytes);
  if (!Number.isInteger(window) || window < maxMessageBytes || window > 2 ** 31) throw refuse('window', `is a whole number of bytes from maxMessageBytes (${maxMessageBytes}) to 2 GiB`, window);
  const port = options.address.port;
  if (!Number.isInteger(port) || port < (options.end === 'app' ? 0 : 1) || port > 65535) throw refuse('address.port', 'is a port number', port);
}
