// The producing fragment of bench/streams.ts's in-board run, in a worker thread: sends records
// of one size through its end of a ring channel for the given seconds, then the end marker.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RingChannel, type RingChannelEnd } from '../../kernel-js/stream/RingChannel.js';
import { endMarker } from './streamRun.js';

const { end, recordBytes, seconds } = workerData as { end: RingChannelEnd; recordBytes: number; seconds: number };
const channel = new RingChannel(end);
const record = new Uint8Array(recordBytes).fill(0x5a);
const stop = performance.now() + seconds * 1000;
while (performance.now() < stop) {
  if (channel.send(record) !== 'ok') await channel.writable(record.length);
}
while (channel.send(endMarker) !== 'ok') await channel.writable(endMarker.length);
parentPort?.postMessage('sent');
