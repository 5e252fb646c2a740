import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { KernelError } from '../KernelError.js';
import { clearBytes, frameHeaderBytes, frameTypes, tagBytes } from './FrameCipher.js';
import { streamTag, streamTagBytes } from './streamTag.js';

/** What a board's stream listener turned away before any circuit saw the connection. */
export interface StreamListenerCounters {
  /** Connections whose first bytes were not a hello. */
  malformed: number;
  /** Hellos naming no circuit this board is the app end of. */
  unknown: number;
  /** Connections that sent no whole hello in time, or came while too many others were in that state. */
  dropped: number;
}

export interface StreamListenerOptions {
  /** How long a new connection has to send its hello; default 5,000 ms. */
  readonly helloTimeoutMs?: number;
  /** Connections that may be waiting for their hello at once; default 32. */
  readonly maxPending?: number;
}

/** What the listener hands a circuit: the socket, and the bytes it read from it to route it. */
export type StreamAccept = (socket: Socket, initial: Buffer) => void;

// The length field, type byte and circuit tag: enough of a hello to route it.
const routeBytes = frameHeaderBytes + streamTagBytes;
const helloLength = 1 + clearBytes.hello + tagBytes;

/**
 * A board's one TCP listener for its stream circuits, on the board's circuit address (the
 * HOST:PORT its control circuits use over UDP; TCP has a port space of its own). Every stream
 * circuit the board is the app end of attaches here; each new connection is handed to the
 * circuit its hello's tag names, with the bytes read so far, and that circuit checks the hello
 * under its key. Connections naming no circuit, or not starting with a hello, are counted and
 * closed; nothing a stranger sends makes it throw.
 */
export class StreamListener {
  readonly counters: StreamListenerCounters = { malformed: 0, unknown: 0, dropped: 0 };
  readonly #server: Server;
  readonly #byTag = new Map<string, { readonly circuit: string; readonly accept: StreamAccept }>();
  readonly #routing = new Set<Socket>();
  readonly #helloTimeoutMs: number;
  readonly #maxPending: number;

  private constructor(server: Server, options: StreamListenerOptions) {
    this.#server = server;
    this.#helloTimeoutMs = options.helloTimeoutMs ?? 5_000;
    this.#maxPending = options.maxPending ?? 32;
    server.on('connection', (socket) => this.#route(socket));
  }

  /** Listens on `address` (port 0: any free port; `address` then tells which). */
  static async listen(address: { readonly host: string; readonly port: number }, options: StreamListenerOptions = {}): Promise<StreamListener> {
    const server = createServer();
    const listener = new StreamListener(server, options);
    server.listen(address.port, address.host);
    try {
      await once(server, 'listening');
    } catch (error) {
      throw new KernelError('stream.listen', `cannot listen for stream circuits on ${address.host}:${address.port}: ${(error as Error).message}`, {
        hint: "another process holds the port, or the address is not this board's; check the board's circuit address in building.yaml",
        data: { ...address },
        cause: error,
      });
    }
    return listener;
  }

  /** Where it listens. */
  get address(): { readonly host: string; readonly port: number } {
    const bound = this.#server.address();
    if (bound === null || typeof bound === 'string') throw new KernelError('stream.listen', 'the stream listener is closed');
    return { host: bound.address, port: bound.port };
  }

  /** Hands connections whose hello names `circuit` to `accept` until the returned function is called. */
  attach(circuit: string, accept: StreamAccept): () => void {
    const tag = streamTag(circuit).toString('hex');
    const taken = this.#byTag.get(tag);
    if (taken !== undefined) {
      throw new KernelError('stream.duplicate', taken.circuit === circuit ? `circuit ${circuit} is already attached to this stream listener` : `circuits ${taken.circuit} and ${circuit} have the same tag ${tag}`, {
        hint: taken.circuit === circuit ? 'open each circuit once' : 'rename one of the apps or devices so the circuit ids differ',
        data: { circuits: [taken.circuit, circuit], tag },
      });
    }
    const entry = { circuit, accept };
    this.#byTag.set(tag, entry);
    return () => {
      if (this.#byTag.get(tag) === entry) this.#byTag.delete(tag);
    };
  }

  /** Stops listening; connections already handed to circuits are theirs to end. */
  close(): void {
    this.#server.close();
    for (const socket of this.#routing) socket.destroy();
    this.#routing.clear();
  }

  #route(socket: Socket): void {
    if (this.#routing.size >= this.#maxPending) {
      this.counters.dropped++;
      socket.destroy();
      return;
    }
    this.#routing.add(socket);
    const chunks: Buffer[] = [];
    let buffered = 0;
    const stop = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onGone);
      socket.off('close', onGone);
      this.#routing.delete(socket);
    };
    const onGone = (): void => {
      stop();
      socket.destroy();
    };
    const timer = setTimeout(() => {
      this.counters.dropped++;
      onGone();
    }, this.#helloTimeoutMs);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < routeBytes) return;
      const initial = Buffer.concat(chunks);
      if (initial.readUInt32BE(0) !== helloLength || initial[4] !== frameTypes.hello) {
        this.counters.malformed++;
        onGone();
        return;
      }
      const route = this.#byTag.get(initial.subarray(frameHeaderBytes, routeBytes).toString('hex'));
      if (route === undefined) {
        this.counters.unknown++;
        onGone();
        return;
      }
      // Handed over within this data event, so the circuit's handler sees every later byte.
      stop();
      route.accept(socket, initial);
    };
    socket.on('data', onData);
    socket.on('error', onGone);
    socket.on('close', onGone);
  }
}
