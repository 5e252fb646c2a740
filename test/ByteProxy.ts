import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What a connection through the proxy carries, read from the ALPN names its TLS ClientHello
 * offers (sent in the clear): the board's control plane (`osmose-rpc`) or a download
 * (`http/1.1`). The proxy never sees inside TLS, exactly as a broken link would not.
 */
export type ProxiedKind = 'rpc' | 'http' | 'other';

/** A fault the proxy brings about once the gateway has sent the board so many bytes. */
export interface ByteLimit {
  /** Whose bytes count: only connections of this kind. */
  readonly kind: ProxiedKind;
  /** Bytes from the gateway to the board that get through; the fault comes right after the last of them. */
  readonly bytes: number;
  /** Counted over every connection of the kind together, or afresh on each connection. */
  readonly per: 'total' | 'connection';
  /**
   * `hold`: nothing more reaches the board (whoever set the limit kills it: a power cut at that
   * byte); `cut`: the connection is closed both ways (a network cut the board must get over).
   */
  readonly then: 'hold' | 'cut';
}

export interface ByteProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly limit?: ByteLimit | undefined;
  /** Called each time the limit is reached, once the last byte allowed is in the board's socket. */
  readonly onLimit?: () => void;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  kind: ProxiedKind | undefined;
  toBoard: number;
  held: boolean;
}

/**
 * A TCP proxy between a board and its gateway that counts the bytes going to the board and can
 * stop them at an exact count: the fault tests' way of killing a board at a chosen byte of its
 * download, or of cutting its link mid-file. Bytes are forwarded untouched.
 */
export class ByteProxy {
  readonly #server: Server;
  readonly #options: ByteProxyOptions;
  readonly #links = new Set<Link>();
  readonly #toBoard: Record<ProxiedKind, number> = { rpc: 0, http: 0, other: 0 };
  readonly #connections: Record<ProxiedKind, number> = { rpc: 0, http: 0, other: 0 };
  readonly #heldKinds = new Set<ProxiedKind>();
  #limitsReached = 0;

  private constructor(server: Server, options: ByteProxyOptions) {
    this.#server = server;
    this.#options = options;
    server.on('connection', (client) => this.#link(client));
  }

  static async start(options: ByteProxyOptions): Promise<ByteProxy> {
    const server = createServer();
    const proxy = new ByteProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** Where the board is told its gateway is. */
  get address(): { readonly host: string; readonly port: number } {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy is not listening');
    return { host: '127.0.0.1', port: address.port };
  }

  /** Bytes handed on from the gateway to the board, on connections of this kind. */
  toBoard(kind: ProxiedKind): number {
    return this.#toBoard[kind];
  }

  /** Connections of this kind the board opened. */
  connections(kind: ProxiedKind): number {
    return this.#connections[kind];
  }

  /** How many times the limit was reached (a `cut` limit per connection may be reached on each). */
  get limitsReached(): number {
    return this.#limitsReached;
  }

  async close(): Promise<void> {
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #link(client: Socket): void {
    const upstream = connect(this.#options.target.port, this.#options.target.host);
    const link: Link = { client, upstream, kind: undefined, toBoard: 0, held: false };
    this.#links.add(link);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.#links.delete(link);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (link.kind === undefined) {
        link.kind = chunk.includes('osmose-rpc') ? 'rpc' : chunk.includes('http/1.1') ? 'http' : 'other';
        this.#connections[link.kind] += 1;
      }
      if (!link.held) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => this.#toClient(link, chunk));
  }

  #toClient(link: Link, chunk: Buffer): void {
    const kind = link.kind ?? 'other';
    if (link.held || this.#heldKinds.has(kind)) return;
    const limit = this.#options.limit?.kind === kind ? this.#options.limit : undefined;
    const counted = limit === undefined ? 0 : limit.per === 'total' ? this.#toBoard[kind] : link.toBoard;
    if (limit === undefined || limit.bytes - counted > chunk.length) {
      this.#forward(link, kind, chunk);
      return;
    }
    // The limit falls inside this chunk (or at its very end): its first bytes up to the limit
    // get through, then the fault.
    link.held = true;
    if (limit.per === 'total') this.#heldKinds.add(kind);
    this.#limitsReached += 1;
    this.#forward(link, kind, chunk.subarray(0, Math.max(0, limit.bytes - counted)), () => {
      if (limit.then === 'cut') {
        link.upstream.destroy();
        link.client.end();
      }
      this.#options.onLimit?.();
    });
  }

  /** Hands bytes to the board's socket; `then` runs once the kernel has them. */
  #forward(link: Link, kind: ProxiedKind, bytes: Buffer, then?: () => void): void {
    link.toBoard += bytes.length;
    this.#toBoard[kind] += bytes.length;
    if (bytes.length > 0) link.client.write(bytes, then === undefined ? undefined : () => then());
    else if (then !== undefined) setImmediate(then);
  }
}
