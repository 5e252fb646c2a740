import type { Duplex } from 'node:stream';
import { Conn, type Method, type Struct } from 'capnp-es';
import { decodeRemoteError, encodeRemoteError } from './RemoteError.js';
import { RpcError } from './RpcError.js';
import { StreamTransport } from './streamTransport.js';

/**
 * One Cap'n Proto RPC connection over a socket, with what capnp-es 0.0.16 leaves out: when
 * the socket goes, every call still waiting for its answer is rejected (capnp-es would leave
 * it pending for ever), later calls fail at once instead of vanishing into a dead socket, and
 * `onClose` is told once. Both serveGatewayRpc and connectGatewayRpc are built on it.
 */
export class RpcConnection {
  readonly conn: Conn;
  readonly #transport: StreamTransport;
  readonly #onClose: ((error?: Error) => void) | undefined;
  #closed = false;

  constructor(socket: Duplex, onClose?: (error?: Error) => void) {
    this.#onClose = onClose;
    this.#transport = new StreamTransport(socket, { onClose: (error) => this.#shutdown(error) });
    // capnp-es would otherwise register every imported capability with a FinalizationRegistry
    // whose only effect, since 0.0.16 never sends Release, is to make a capability the peer
    // passes again unusable once the first reference to it was collected. A connection's
    // capabilities live as long as the connection; nothing needs finalising.
    this.conn = new QuietConn(this.#transport, () => {});
    // A message capnp-es cannot handle stops its receive loop; the link is of no use after that.
    this.conn.onError = (error) => {
      if (this.#closed) return;
      this.#shutdown(new RpcError('rpc.protocol', `the other side sent a message this side cannot handle: ${error?.message ?? 'unknown error'}`, { cause: error }));
      socket.destroy();
    };
  }

  /**
   * Makes a call through `send` (which uses the generated client), rejecting at once when the
   * link is down, and turning what capnp-es makes of a remote handler's error back into that
   * error (a RemoteError with its message and code).
   */
  async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new RpcError('rpc.closed', `the connection is closed: ${method} was not sent`, { data: { method } });
    try {
      return await send();
    } catch (error) {
      throw decodeRemoteError(method, error);
    }
  }

  close(): void {
    this.#transport.close();
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const question of this.conn.questions) {
      if (question === null) continue;
      const method = question.method === undefined ? 'bootstrap' : `${(question.method.interfaceName ?? '').replace(/^.*:/, '')}.${question.method.methodName}`;
      const why = error === undefined ? 'the connection was closed' : error.message;
      question.cancel(new RpcError('rpc.closed', `${why} before ${method} answered`, { data: { method }, ...(error === undefined ? {} : { cause: error }) }));
    }
    this.#onClose?.(error);
  }
}

/**
 * Runs a handler for capnp-es, so that what it throws reaches the caller with its message and
 * code (see encodeRemoteError).
 */
export async function answer(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw encodeRemoteError(error);
  }
}

/**
 * capnp-es keeps a promise for every question it asks and every answer it gives, and rejects
 * it when that call fails; nothing of its own listens to them, so in Node.js each failure would
 * be an unhandled rejection, which ends the process. The caller's own promise (from the
 * generated client) rejects as before; these copies are only kept quiet.
 */
class QuietConn extends Conn {
  override newQuestion<P extends Struct, R extends Struct>(method?: Method<P, R>): ReturnType<typeof Conn.prototype.newQuestion<P, R>> {
    const question = super.newQuestion(method);
    question.deferred.promise.catch(() => {});
    return question;
  }

  override insertAnswer(id: number): ReturnType<Conn['insertAnswer']> {
    const entry = super.insertAnswer(id);
    entry?.deferred.promise.catch(() => {});
    return entry;
  }
}
