import { KernelError } from '../KernelError.js';
import { waitOnInt32 } from './waitOnInt32.js';

// The header, in 32-bit words. Head and its waiter count sit on one cache line, tail and its
// waiter count on another: each line is written by one side only (head by the producer, tail
// by the consumer), so the two threads do not fight over a line on every record.
const HEAD = 0; // bytes ever written, modulo 2^32 (producer)
const SPACE_WAITERS = 1; // producers waiting for space (producer)
const CAPACITY = 2; // the data area's size, so that attach can check it
const CLOSED = 3; // 1 once either side closed the ring
const TAIL = 16; // bytes ever read, modulo 2^32 (consumer)
const DATA_WAITERS = 17; // consumers waiting for data (consumer)
const headerBytes = 128;
const prefixBytes = 4;

/** The smallest and largest data area a ring may have, in bytes. */
export const ringCapacityLimits = { min: 16, max: 2 ** 30 } as const;

/**
 * A single-producer single-consumer ring of variable-length records over a SharedArrayBuffer,
 * so that two fragments on one board (two worker threads, or one thread) pass a stream through
 * shared memory instead of a socket.
 *
 * The data area is a power of two in bytes. Head and tail count every byte ever written and
 * read, modulo 2^32, so `head - tail` is the bytes in use even after the counters wrap, and a
 * position is a counter masked by the capacity; a full ring and an empty one are never
 * confused. A record is a 4-byte little-endian length and its bytes, both free to wrap past
 * the end of the area, so no space is lost to padding and a record may use the whole area less
 * its prefix.
 *
 * The producer copies a record in and then publishes it by storing the new head with Atomics;
 * the consumer loads the head with Atomics before copying out, and publishes the space freed by
 * storing the tail. Atomics give the happens-before that makes the plain copies visible to the
 * other thread. A side that waits (waitForData, waitForSpace) first counts itself as a waiter,
 * so the other side only pays for Atomics.notify when somebody is waiting.
 *
 * Either side may close the ring: records already written can still be read, writes fail and
 * waiters wake up.
 */
export class SharedRing {
  /** The shared memory: hand it to the other thread (postMessage, workerData) and attach to it there. */
  readonly buffer: SharedArrayBuffer;
  /** Bytes in the data area. */
  readonly capacity: number;
  /** The largest record that can ever fit: the whole area less its length prefix. */
  readonly maxRecordBytes: number;
  readonly #words: Int32Array;
  readonly #data: Uint8Array;
  readonly #mask: number;

  private constructor(buffer: SharedArrayBuffer, capacity: number) {
    this.buffer = buffer;
    this.capacity = capacity;
    this.maxRecordBytes = capacity - prefixBytes;
    this.#words = new Int32Array(buffer, 0, headerBytes / 4);
    this.#data = new Uint8Array(buffer, headerBytes, capacity);
    this.#mask = capacity - 1;
  }

  /** A new, empty ring whose data area holds `capacity` bytes (a power of two from 16 to 2^30). */
  static create(capacity: number): SharedRing {
    if (!Number.isInteger(capacity) || capacity < ringCapacityLimits.min || capacity > ringCapacityLimits.max || (capacity & (capacity - 1)) !== 0) {
      throw new KernelError('stream.ring-capacity', `a ring's capacity is a power of two from ${ringCapacityLimits.min} to 2^30 bytes, not ${capacity}`, {
        hint: 'round the capacity up to a power of two, such as 262144 for 256 KiB',
        data: { capacity },
      });
    }
    const buffer = new SharedArrayBuffer(headerBytes + capacity);
    new Int32Array(buffer, 0, headerBytes / 4)[CAPACITY] = capacity;
    return new SharedRing(buffer, capacity);
  }

  /** The ring that create made in another thread, over the buffer it handed over. */
  static attach(buffer: SharedArrayBuffer): SharedRing {
    const capacity = buffer.byteLength >= headerBytes ? Atomics.load(new Int32Array(buffer, 0, headerBytes / 4), CAPACITY) : 0;
    if (capacity < ringCapacityLimits.min || buffer.byteLength !== headerBytes + capacity) {
      throw new KernelError('stream.ring-buffer', `a ${buffer.byteLength}-byte SharedArrayBuffer is not a ring made by SharedRing.create`, {
        hint: 'attach to the buffer property of a ring, as it was handed over',
        data: { byteLength: buffer.byteLength },
      });
    }
    return new SharedRing(buffer, capacity);
  }

  /** Bytes in use (records and their prefixes), as this side last saw them. */
  get usedBytes(): number {
    return (Atomics.load(this.#words, HEAD) - Atomics.load(this.#words, TAIL)) >>> 0;
  }

  /** Whether either side has closed the ring. */
  get closed(): boolean {
    return Atomics.load(this.#words, CLOSED) !== 0;
  }

  /** Whether a record of `bytes` would fit now. */
  fits(bytes: number): boolean {
    return this.capacity - this.usedBytes >= prefixBytes + bytes;
  }

  /**
   * Copies `record` into the ring (producer side). False when it does not fit now (the consumer
   * has not taken enough yet: that is the stream's flow control) or the ring is closed; the
   * ring then holds nothing of it. A record larger than maxRecordBytes can never fit and is
   * refused with an error instead, so a producer cannot wait for it forever.
   */
  write(record: Uint8Array): boolean {
    if (record.length > this.maxRecordBytes) {
      throw new KernelError('stream.record-too-large', `a ${record.length}-byte record is larger than this ring's ${this.maxRecordBytes} bytes`, {
        hint: 'make the ring larger, or send smaller records',
        data: { length: record.length, maxRecordBytes: this.maxRecordBytes },
      });
    }
    if (this.closed) return false;
    const head = Atomics.load(this.#words, HEAD) >>> 0;
    const used = (head - (Atomics.load(this.#words, TAIL) >>> 0)) >>> 0;
    if (this.capacity - used < prefixBytes + record.length) return false;
    const length = record.length;
    for (let i = 0; i < prefixBytes; i++) this.#data[(head + i) & this.#mask] = (length >>> (8 * i)) & 0xff;
    this.#copyIn(record, (head + prefixBytes) & this.#mask);
    Atomics.store(this.#words, HEAD, (head + prefixBytes + length) | 0);
    if (Atomics.load(this.#words, DATA_WAITERS) !== 0) Atomics.notify(this.#words, HEAD);
    return true;
  }

  /** The next record, copied out of the ring (consumer side); undefined when there is none. */
  read(): Uint8Array | undefined {
    const tail = Atomics.load(this.#words, TAIL) >>> 0;
    const used = ((Atomics.load(this.#words, HEAD) >>> 0) - tail) >>> 0;
    if (used === 0) return undefined;
    const length = this.#lengthAt(tail);
    if (used < prefixBytes || length > used - prefixBytes) {
      // Only a second producer, or something writing over the buffer, can get here.
      throw new KernelError('stream.ring-corrupt', `the ring holds ${used} bytes but its next record claims ${length}`, {
        hint: 'a ring has exactly one producer and one consumer; give each pair of fragments its own ring',
        data: { used, length },
      });
    }
    const record = this.#copyOut((tail + prefixBytes) & this.#mask, length);
    Atomics.store(this.#words, TAIL, (tail + prefixBytes + length) | 0);
    if (Atomics.load(this.#words, SPACE_WAITERS) !== 0) Atomics.notify(this.#words, TAIL);
    return record;
  }

  /**
   * The records there are now, oldest first, up to `maxBytes` (at least one record) (consumer
   * side): one copy into one new buffer, each record a view of it. Allocating a buffer costs
   * more than copying 4 KiB, so taking records in batches ran about twice as fast as reading
   * them one by one in bench/streams; the batch is kept to 64 KiB by default because larger
   * fresh buffers cost page faults. A record kept alive keeps its batch's buffer alive.
   */
  readAll(maxBytes = 64 * 1024): Uint8Array[] {
    const tail = Atomics.load(this.#words, TAIL) >>> 0;
    const used = ((Atomics.load(this.#words, HEAD) >>> 0) - tail) >>> 0;
    // Whole records only: walk their prefixes until the batch is full.
    const lengths: number[] = [];
    let take = 0;
    while (take < used && (lengths.length === 0 || take + prefixBytes + this.#lengthAt(tail + take) <= maxBytes)) {
      const length = this.#lengthAt(tail + take);
      if (used - take < prefixBytes || length > used - take - prefixBytes) {
        // Only a second producer, or something writing over the buffer, can get here.
        throw new KernelError('stream.ring-corrupt', `the ring holds ${used - take} bytes from a record that claims ${length}`, {
          hint: 'a ring has exactly one producer and one consumer; give each pair of fragments its own ring',
          data: { used: used - take, length },
        });
      }
      lengths.push(length);
      take += prefixBytes + length;
    }
    if (take === 0) return [];
    const batch = this.#copyOut(tail & this.#mask, take);
    const records: Uint8Array[] = [];
    let at = 0;
    for (const length of lengths) {
      records.push(batch.subarray(at + prefixBytes, at + prefixBytes + length));
      at += prefixBytes + length;
    }
    Atomics.store(this.#words, TAIL, (tail + take) | 0);
    if (Atomics.load(this.#words, SPACE_WAITERS) !== 0) Atomics.notify(this.#words, TAIL);
    return records;
  }

  /**
   * Resolves true once there is a record to read; false when the ring is closed and empty,
   * `timeoutMs` passed or `signal` aborted first. It waits with Atomics.waitAsync, so the
   * producer may be another thread, and keeps the thread's event loop alive meanwhile, as a
   * socket read would.
   */
  waitForData(timeoutMs = Infinity, signal?: AbortSignal): Promise<boolean> {
    return this.#waitUntil(HEAD, DATA_WAITERS, () => this.usedBytes > 0, timeoutMs, signal);
  }

  /** Resolves true once a record of `bytes` fits; false when it never will, the ring is closed, `timeoutMs` passed or `signal` aborted first. */
  async waitForSpace(bytes: number, timeoutMs = Infinity, signal?: AbortSignal): Promise<boolean> {
    if (bytes > this.maxRecordBytes) return false;
    return (await this.#waitUntil(TAIL, SPACE_WAITERS, () => this.fits(bytes), timeoutMs, signal)) && !this.closed;
  }

  /** Closes the ring for both sides and wakes whoever waits. What is written can still be read. */
  close(): void {
    Atomics.store(this.#words, CLOSED, 1);
    Atomics.notify(this.#words, HEAD);
    Atomics.notify(this.#words, TAIL);
  }

  async #waitUntil(word: number, waiters: number, ready: () => boolean, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    const aborted = (): boolean => signal?.aborted ?? false;
    for (;;) {
      if (ready()) return true;
      if (this.closed || aborted()) return false;
      const seen = Atomics.load(this.#words, word);
      // Counted as a waiter before looking again: the other side stores its counter and then
      // reads the waiter count, so either it sees this waiter and notifies, or this side sees
      // its new counter here.
      Atomics.add(this.#words, waiters, 1);
      try {
        if (ready() || this.closed || aborted()) continue;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        // A pending Atomics.waitAsync alone does not keep a thread's event loop alive: a worker
        // whose only work is waiting on its ring would simply end. The timer does, and wakes
        // the wait when its time is up.
        const wake = (): void => void Atomics.notify(this.#words, word);
        const timer = setTimeout(wake, Math.min(left, 2 ** 31 - 1));
        signal?.addEventListener('abort', wake);
        try {
          await waitOnInt32(this.#words, word, seen, Infinity);
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
        }
      } finally {
        Atomics.sub(this.#words, waiters, 1);
      }
    }
  }

  /** The length prefix of the record at byte counter `at`, which may wrap. */
  #lengthAt(at: number): number {
    let length = 0;
    for (let i = 0; i < prefixBytes; i++) length |= (this.#data[(at + i) & this.#mask] ?? 0) << (8 * i);
    return length >>> 0;
  }

  #copyIn(record: Uint8Array, at: number): void {
    const first = Math.min(record.length, this.capacity - at);
    this.#data.set(record.subarray(0, first), at);
    if (first < record.length) this.#data.set(record.subarray(first), 0);
  }

  #copyOut(at: number, length: number): Uint8Array {
    const record = new Uint8Array(length);
    const first = Math.min(length, this.capacity - at);
    record.set(this.#data.subarray(at, at + first), 0);
    if (first < length) record.set(this.#data.subarray(0, length - first), first);
    return record;
  }
}
