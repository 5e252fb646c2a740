import { KernelError } from '../KernelError.js';
import type { ChannelSendResult } from '../host/KernelChannels.js';
import { SharedRing } from './SharedRing.js';
import type { StreamChannel } from './StreamChannel.js';

/**
 * What one end of an in-board stream is made of: plain data (two SharedArrayBuffers and a
 * number), so it can be posted to the worker thread that runs the fragment at that end.
 */
export interface RingChannelEnd {
  /** The ring this end writes into (the other end reads it). */
  readonly send: SharedArrayBuffer;
  /** The ring this end reads (the other end writes into it). */
  readonly receive: SharedArrayBuffer;
  readonly maxMessageBytes: number;
}

// Messages delivered in one turn of the event loop before the pump lets other work run: a
// producer in another thread may keep the ring from ever being empty.
const messagesPerTurn = 256;

/**
 * One end of a stream circuit between two fragments on the same board: a KernelChannel over
 * two SharedRings (one each way), so the fragments share memory instead of a socket and may
 * run in different worker threads. Flow control is the ring itself: send answers busy while
 * the other end has not read enough to make room, and nothing waits anywhere else.
 *
 * While this end has listeners, a pump reads the incoming ring as records arrive (waiting with
 * Atomics.waitAsync) and hands each to every listener, oldest first. Without listeners, records
 * stay in the ring, and the other end's sends answer busy once it is full.
 */
export class RingChannel implements StreamChannel {
  readonly maxMessageBytes: number;
  readonly #out: SharedRing;
  readonly #in: SharedRing;
  readonly #listeners = new Set<(message: Uint8Array) => void>();
  #pumping = false;
  /** Records taken out of the ring in one batch and not yet delivered. */
  #taken: Uint8Array[] = [];
  /** Ends the pump's wait once the last listener has gone, so an idle end holds no wait open. */
  #idle = new AbortController();
  #closed = false;

  constructor(end: RingChannelEnd) {
    this.#out = SharedRing.attach(end.send);
    this.#in = SharedRing.attach(end.receive);
    const fits = Math.min(this.#out.maxRecordBytes, this.#in.maxRecordBytes);
    if (!Number.isInteger(end.maxMessageBytes) || end.maxMessageBytes < 1 || end.maxMessageBytes > fits) {
      throw new KernelError('stream.channel-option', `a ring channel's maxMessageBytes is a whole number from 1 to ${fits} (what its rings hold), not ${end.maxMessageBytes}`, {
        hint: 'make the rings larger than the largest message, by 4 bytes at least',
        data: { maxMessageBytes: end.maxMessageBytes, fits },
      });
    }
    this.maxMessageBytes = end.maxMessageBytes;
  }

  send(message: Uint8Array): ChannelSendResult {
    if (message.length > this.maxMessageBytes) {
      throw new KernelError('kernel.channel-too-large', `a ${message.length}-byte message is larger than this circuit's ${this.maxMessageBytes} bytes`, {
        hint: 'the host answers TooLarge before sending; check maxMessageBytes first',
        data: { length: message.length, maxMessageBytes: this.maxMessageBytes },
      });
    }
    if (this.#out.closed) return 'unavailable';
    return this.#out.write(message) ? 'ok' : 'busy';
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    if (!this.#closed) {
      this.#listeners.add(listener);
      this.#startPump();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#idle.abort();
    };
  }

  /**
   * Resolves once a message of `bytes` fits, but waits for a quarter of the ring to be free
   * when the message is smaller: a producer faster than its consumer then wakes once a batch,
   * not once a record (which halved the throughput of 4 KiB records in bench/streams).
   */
  async writable(bytes = 1): Promise<void> {
    const room = Math.min(this.#out.maxRecordBytes, Math.max(Math.min(bytes, this.maxMessageBytes), this.#out.capacity / 4));
    if (!(await this.#out.waitForSpace(room))) {
      throw new KernelError('stream.closed', 'the in-board stream is closed: nothing more can be sent', { data: { bytes } });
    }
  }

  /** Closes both rings: either end's sends answer unavailable; the other end still gets what was sent before. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#idle.abort();
    this.#out.close();
    this.#in.close();
  }

  #startPump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#idle = new AbortController();
    void this.#pump().finally(() => {
      this.#pumping = false;
      // A listener that came back while the pump was stopping for want of one.
      if (this.#listeners.size > 0 && !this.#closed && !this.#in.closed) this.#startPump();
    });
  }

  async #pump(): Promise<void> {
    let sinceTurn = 0;
    while (this.#listeners.size > 0) {
      if (this.#taken.length === 0) this.#taken = this.#in.readAll();
      // Delivered in turn; what a listener leaving midway leaves behind waits for the next one.
      let delivered = 0;
      while (delivered < this.#taken.length && this.#listeners.size > 0) this.#deliver(this.#taken[delivered++] ?? new Uint8Array(0));
      this.#taken = delivered === this.#taken.length ? [] : this.#taken.slice(delivered);
      sinceTurn += delivered;
      if (sinceTurn >= messagesPerTurn) {
        // Waiting on the ring only yields to promises: timers and sockets get their turn here.
        sinceTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      } else if (delivered === 0 && !(await this.#in.waitForData(Infinity, this.#idle.signal)) && this.#in.usedBytes === 0) {
        return;
      }
    }
  }

  #deliver(record: Uint8Array): void {
    let first = true;
    for (const listener of [...this.#listeners]) {
      // Each listener gets its own copy: a host keeps what it is given.
      listener(first ? record : Uint8Array.from(record));
      first = false;
    }
  }
}
