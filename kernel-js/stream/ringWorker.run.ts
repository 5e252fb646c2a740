// A worker thread of SharedRing.test.ts: one side of a ring or of a ring channel, run in a
// thread of its own so the test crosses a real thread boundary.
import { parentPort, workerData } from 'node:worker_threads';
import { RingChannel, type RingChannelEnd } from './RingChannel.js';
import { SharedRing } from './SharedRing.js';

const data = workerData as { role: 'produce' | 'consume' | 'echo'; buffer: SharedArrayBuffer; count: number; end: RingChannelEnd };

const expected = (index: number, length: number): Uint8Array => Uint8Array.from({ length }, (_, at) => (index * 31 + at) & 0xff);
const lengthOf = (index: number): number => (index * 13) % 97;

async function produce(): Promise<unknown> {
  const ring = SharedRing.attach(data.buffer);
  let fullAnswers = 0;
  for (let index = 0; index < data.count; index++) {
    const record = expected(index, lengthOf(index));
    while (!ring.write(record)) {
      fullAnswers++;
      await ring.waitForSpace(record.length);
    }
  }
  return { written: data.count, fullAnswers };
}

async function consume(): Promise<unknown> {
  const ring = SharedRing.attach(data.buffer);
  let mismatches = 0;
  let bytes = 0;
  for (let index = 0; index < data.count; index++) {
    let record = ring.read();
    while (record === undefined) {
      await ring.waitForData();
      record = ring.read();
    }
    bytes += record.length;
    if (Buffer.compare(record, expected(index, lengthOf(index))) !== 0) mismatches++;
  }
  return { read: data.count, mismatches, bytes };
}

/** Sends back every message it gets, as it got it. */
async function echo(): Promise<unknown> {
  const channel = new RingChannel(data.end);
  let echoed = 0;
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  channel.onMessage((message) => {
    queue.push(message);
    wake?.();
  });
  while (echoed < data.count) {
    const message = queue.shift();
    if (message === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    while (channel.send(message) === 'busy') await channel.writable(message.length);
    echoed++;
  }
  return { echoed };
}

const roles = { produce, consume, echo };
parentPort?.postMessage(await roles[data.role]());
