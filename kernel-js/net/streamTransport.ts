import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Message, type Transport } from 'capnp-es';
import { Message as RpcMessage } from 'capnp-es/capnp/rpc';
import { defaultFrameLimits, FrameReader, type FrameLimits } from './FrameReader.js';
import { RpcError } from './RpcError.js';

export interface StreamTransportOptions {
  readonly limits?: FrameLimits;
  /**
   * Called once when the transport stops, however it stopped: without an error after
   * close(), with an RpcError when the other side went away, the socket failed or sent a
   * frame that was refused.
   */
  readonly onClose?: (error?: Error) => void;
}

/**
 * A capnp-es Transport over a Node stream (a TLS socket in osmose): each outgoing message is
 * written as a standard Cap'n Proto stream frame, and the incoming bytes are cut back into
 * messages by a FrameReader. Messages written in the same tick leave in one write (the socket
 * is corked until the next tick), so a call's Return and the Finish that follows it share a
 * TLS record. Once stopped, sending does nothing: capnp-es answers calls from handlers that
 * finish after the link dropped, and there is nobody left to tell.
 */
export class StreamTransport implements Transport {
  readonly #socket: Duplex;
  readonly #reader: FrameReader;
  readonly #onClose: ((error?: Error) => void) | undefined;
  readonly #received: ArrayBuffer[] = [];
  #waiting: { resolve(message: RpcMessage): void; reject(error: unknown): void } | undefined;
  #corked = false;
  /** Set once the transport has stopped: why, or null when close() stopped it. */
  #stopped: Error | null | undefined;

  constructor(socket: Duplex, options: StreamTransportOptions = {}) {
    this.#socket = socket;
    this.#reader = new FrameReader(options.limits ?? defaultFrameLimits);
    this.#onClose = options.onClose;
    // Control messages are small and each waits for an answer: Nagle's algorithm would hold a
    // call back until the peer acknowledged the Finish sent just before it.
    if (socket instanceof Socket) socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer | string) => this.#receive(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    socket.on('end', () => this.#stop(new RpcError('rpc.closed', 'the other side closed the connection')));
    socket.on('error', (cause: Error) => this.#stop(new RpcError('rpc.closed', `the connection failed: ${cause.message}`, { cause })));
    socket.on('close', () => this.#stop(new RpcError('rpc.closed', 'the connection closed')));
  }

  sendMessage(msg: RpcMessage): void {
    if (this.#stopped !== undefined || this.#socket.destroyed) return;
    const frame = new Uint8Array(msg.segment.message.toArrayBuffer());
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(frame);
  }

  recvMessage(): Promise<RpcMessage> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped ?? new RpcError('rpc.closed', 'the connection was closed'));
    const frame = this.#received.shift();
    if (frame !== undefined) return new Promise((resolve) => resolve(parse(frame)));
    if (this.#waiting !== undefined) return Promise.reject(new Error('StreamTransport: recvMessage called again before the last one settled'));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** Ends the socket once what was written is flushed; a pending recvMessage rejects. */
  close(): void {
    if (this.#stopped !== undefined) return;
    this.#stop(null);
    this.#socket.end(() => this.#socket.destroy());
  }

  #receive(chunk: Uint8Array): void {
    if (this.#stopped !== undefined) return;
    let frames: ArrayBuffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.#stop(error as Error);
      this.#socket.destroy();
      return;
    }
    for (const frame of frames) {
      const waiting = this.#waiting;
      if (waiting === undefined) {
        this.#received.push(frame);
        continue;
      }
      this.#waiting = undefined;
      try {
        waiting.resolve(parse(frame));
      } catch (error) {
        waiting.reject(error);
      }
    }
  }

  #stop(why: Error | null): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = why;
    // What arrived and was not read yet is dropped: the calls it answers are rejected anyway.
    this.#received.length = 0;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(why ?? new RpcError('rpc.closed', 'the connection was closed'));
    this.#onClose?.(why ?? undefined);
  }
}

/** An RPC message from one frame; capnp-es reads its contents lazily, as they are used. */
function parse(frame: ArrayBuffer): RpcMessage {
  try {
    return new Message(frame, false).getRoot(RpcMessage);
  } catch (cause) {
    throw new RpcError('rpc.protocol', `a frame from the other side is not a Cap'n Proto message: ${(cause as Error).message}`, { cause });
  }
}
