import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RingChannel } from './RingChannel.js';
import { ringChannelPair } from './ringChannelPair.js';
import { SharedRing } from './SharedRing.js';

/** A record whose bytes say which record it is and where in it they sit, so a misplaced byte shows. */
function record(index: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, at) => (index * 31 + at) & 0xff);
}

describe('SharedRing', () => {
  it('delivers records in order across many wrap-arounds, the length prefix and the bytes split at the end', () => {
    const ring = SharedRing.create(64);
    const written: Uint8Array[] = [];
    const read: Uint8Array[] = [];
    // Lengths that do not divide 64, so records and prefixes straddle the end at every offset.
    let full = 0;
    for (let index = 0; index < 500; index++) {
      const next = record(index, (index * 7) % 23);
      while (!ring.write(next)) {
        full++;
        read.push(ring.read() ?? new Uint8Array([0xde, 0xad]));
      }
      written.push(next);
    }
    expect(full).toBeGreaterThan(100);
    for (let next = ring.read(); next !== undefined; next = ring.read()) read.push(next);
    expect(read).toEqual(written);
    expect(ring.usedBytes).toBe(0);
  });

  it('answers false when a record does not fit, keeps nothing of it, and loses nothing already in', () => {
    const ring = SharedRing.create(32);
    expect(ring.write(record(1, 10))).toBe(true); // 14 bytes
    expect(ring.write(record(2, 10))).toBe(true); // 28 bytes
    expect(ring.fits(1)).toBe(false);
    expect(ring.write(record(3, 1))).toBe(false);
    expect(ring.usedBytes).toBe(28);
    expect(ring.read()).toEqual(record(1, 10));
    expect(ring.write(record(3, 10))).toBe(true);
    expect(ring.write(record(4, 1))).toBe(false);
    expect([ring.read(), ring.read(), ring.read()]).toEqual([record(2, 10), record(3, 10), undefined]);
  });

  it('takes a record as large as the area less its prefix, and refuses a larger one with an error', () => {
    const ring = SharedRing.create(16);
    expect(ring.maxRecordBytes).toBe(12);
    expect(ring.write(record(5, 12))).toBe(true);
    expect(ring.read()).toEqual(record(5, 12));
    expect(() => ring.write(record(6, 13))).toThrow(expect.objectContaining({ code: 'stream.record-too-large' }));
  });

  it('hands over every record there is in one batch, across the end of the area, mixed with single reads', () => {
    const ring = SharedRing.create(64);
    const written: Uint8Array[] = [];
    const read: Uint8Array[] = [];
    for (let index = 0; index < 300; index++) {
      const next = record(index, (index * 5) % 19);
      while (!ring.write(next)) {
        if (index % 2 === 0) read.push(...ring.readAll());
        else read.push(ring.read() ?? new Uint8Array([0xde, 0xad]));
      }
      written.push(next);
    }
    read.push(...ring.readAll());
    expect(read).toEqual(written);
    expect(ring.readAll()).toEqual([]);
    expect(ring.usedBytes).toBe(0);
  });

  it('carries empty records', () => {
    const ring = SharedRing.create(16);
    expect(ring.write(new Uint8Array(0))).toBe(true);
    expect(ring.read()).toEqual(new Uint8Array(0));
    expect(ring.read()).toBeUndefined();
  });

  it('refuses a capacity that is not a power of two, and a buffer it did not make', () => {
    expect(() => SharedRing.create(100)).toThrow(expect.objectContaining({ code: 'stream.ring-capacity' }));
    expect(() => SharedRing.create(8)).toThrow(expect.objectContaining({ code: 'stream.ring-capacity' }));
    expect(() => SharedRing.attach(new SharedArrayBuffer(1000))).toThrow(expect.objectContaining({ code: 'stream.ring-buffer' }));
  });

  it('wakes a waiting reader when a record is written, and a waiting writer when space is freed', async () => {
    const ring = SharedRing.create(16);
    const reader = SharedRing.attach(ring.buffer);
    const data = reader.waitForData();
    ring.write(record(1, 12));
    expect(await data).toBe(true);
    const space = ring.waitForSpace(4);
    expect(reader.read()).toEqual(record(1, 12));
    expect(await space).toBe(true);
  });

  it('answers false to waiters once closed, and still gives what was written before', async () => {
    const ring = SharedRing.create(16);
    ring.write(record(1, 12));
    const space = ring.waitForSpace(8);
    ring.close();
    expect(await space).toBe(false);
    expect(ring.write(record(2, 0))).toBe(false);
    expect(ring.read()).toEqual(record(1, 12));
    expect(await ring.waitForData()).toBe(false);
  });

  it('times a wait out when nothing comes', async () => {
    const ring = SharedRing.create(16);
    expect(await ring.waitForData(5)).toBe(false);
  });
});

describe('SharedRing across worker threads', () => {
  it('carries 20,000 records in order from a producer thread to a consumer thread through a 4 KiB ring', async () => {
    const ring = SharedRing.create(4096);
    const count = 20_000;
    const producer = ringWorker('produce', { buffer: ring.buffer, count });
    const consumer = ringWorker('consume', { buffer: ring.buffer, count });
    const [produced, consumed] = await Promise.all([producer, consumer]);
    // The ring holds a few dozen records: the producer must have found it full and waited.
    expect(produced).toEqual({ written: count, fullAnswers: expect.any(Number) as number });
    expect((produced as { fullAnswers: number }).fullAnswers).toBeGreaterThan(0);
    expect(consumed).toEqual({ read: count, mismatches: 0, bytes: expect.any(Number) as number });
  });

  it('is a KernelChannel between fragments in two threads: each end sends, the other receives, in order', async () => {
    const [here, there] = ringChannelPair({ capacity: 1024, maxMessageBytes: 256 });
    const channel = new RingChannel(here);
    const count = 5_000;
    const received: number[] = [];
    const done = new Promise<void>((resolve) => {
      channel.onMessage((message) => {
        received.push(new DataView(message.buffer, message.byteOffset).getUint32(0, true));
        if (received.length === count) resolve();
      });
    });
    const echo = ringWorker('echo', { end: there, count });
    for (let index = 0; index < count; index++) {
      const message = new Uint8Array(4 + (index % 200));
      new DataView(message.buffer).setUint32(0, index, true);
      while (channel.send(message) === 'busy') await channel.writable(message.length);
    }
    await done;
    expect(await echo).toEqual({ echoed: count });
    expect(received).toEqual(Array.from({ length: count }, (_, index) => index));
    channel.close();
  });
});

/** Runs kernel-js/stream/ringWorker.run.ts in a worker thread (TypeScript loaded by tsx) and answers what it posts. */
function ringWorker(role: string, data: object): Promise<unknown> {
  const script = new URL('./ringWorker.run.ts', import.meta.url).href;
  const code = `import { tsImport } from 'tsx/esm/api'; await tsImport(${JSON.stringify(script)}, ${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(code, { eval: true, workerData: { role, ...data } });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: unknown) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the ${role} worker exited with ${code} before answering`)));
  });
}
