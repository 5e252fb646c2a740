import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RingChannel } from '../kernel-js/stream/RingChannel.js';
import { ringChannelPair } from '../kernel-js/stream/ringChannelPair.js';
import { cpuSince, endMarker, type StreamRun, type StreamTransport } from './streams/streamRun.js';

const seconds = 2;
const rounds = 2;
/** Ring capacity and link window alike, so that both have the same bytes in flight. */
const inFlightBytes = 1024 * 1024;
/** 16 kHz, 4 channels, 16-bit samples. */
const audioBytesPerSecond = 16_000 * 4 * 2;
const recordSizes = [4 * 1024, 64 * 1024] as const;

export interface StreamFigures {
  readonly mbPerSecond: number;
  readonly recordsPerSecond: number;
  /** CPU microseconds a megabyte costs, producer and consumer together. */
  readonly cpuMicrosPerMb: number;
}

export type StreamsBench = Record<`${(typeof recordSizes)[number]}`, Record<StreamTransport, StreamFigures>>;

const script = (name: string): string => fileURLToPath(new URL(`./streams/${name}`, import.meta.url));

/**
 * Stream circuits' sustained throughput, one producer and one consumer each as fast as the
 * transport lets it: (a) the ring between two fragments of one board (a producer worker thread
 * and the consuming thread sharing a SharedArrayBuffer, through RingChannel), (b) StreamLink
 * between two boards (two OS processes on loopback: AES-256-GCM frames, credit flow control),
 * against (c) the baseline measured in the same run, a plain TCP copy between two processes
 * (socket writes and reads, no framing, no crypto, no flow control of its own). Records of
 * 4 KiB (a chunk of 16 kHz 4-channel audio) and of 64 KiB (video-like), in alternating rounds.
 */
export async function streamsBench(): Promise<StreamsBench> {
  const key = randomBytes(32).toString('hex');
  const figures = {} as Record<string, Record<StreamTransport, StreamFigures>>;
  for (const recordBytes of recordSizes) {
    const totals: Record<StreamTransport, { bytes: number; records: number; ms: number; cpuMicros: number }> = {
      ring: { bytes: 0, records: 0, ms: 0, cpuMicros: 0 },
      link: { bytes: 0, records: 0, ms: 0, cpuMicros: 0 },
      tcp: { bytes: 0, records: 0, ms: 0, cpuMicros: 0 },
    };
    for (let round = 0; round < rounds; round++) {
      const order: readonly StreamTransport[] = round % 2 === 0 ? ['tcp', 'ring', 'link'] : ['link', 'ring', 'tcp'];
      for (const transport of order) {
        const run = transport === 'ring' ? await ringRun(recordBytes) : await processRun(transport, recordBytes, key);
        const total = totals[transport];
        total.bytes += run.bytes;
        total.records += run.records;
        total.ms += run.ms;
        total.cpuMicros += run.cpuMicros;
      }
    }
    figures[String(recordBytes)] = {
      ring: rates(totals.ring),
      link: rates(totals.link),
      tcp: rates(totals.tcp),
    };
  }

  const mbs = (f: StreamFigures): string => `${f.mbPerSecond.toFixed(0).padStart(5)} MB/s`;
  const perSecond = (f: StreamFigures): string => `${Math.round(f.recordsPerSecond).toLocaleString('en').padStart(9)} records/s`;
  const cpu = (f: StreamFigures): string => `${Math.round(f.cpuMicrosPerMb).toLocaleString('en').padStart(6)} µs CPU a MB`;
  const line = (label: string, f: StreamFigures): string => `    ${label.padEnd(67)}${mbs(f)}  ${perSecond(f)}  ${cpu(f)}`;
  console.log(`streams: sustained throughput of one producer and one consumer on 127.0.0.1, ${seconds} s each in ${rounds} alternating rounds; ring capacity and link window ${inFlightBytes / 1024} KiB`);
  for (const recordBytes of recordSizes) {
    const f = figures[String(recordBytes)];
    if (f === undefined) continue;
    const what = recordBytes === 4096 ? `${recordBytes / 1024} KiB records (16 kHz 4-channel 16-bit audio: ${((recordBytes / audioBytesPerSecond) * 1000).toFixed(0)} ms a record)` : `${recordBytes / 1024} KiB records (video-like)`;
    console.log(`  ${what}`);
    console.log(line('baseline  plain TCP copy between two processes (no crypto)', f.tcp));
    console.log(line('osmose    (a) ring between two threads of one board', f.ring));
    console.log(line('osmose    (b) StreamLink between two processes (AES-GCM, credit)', f.link));
    const ratio = (of: StreamFigures): string => `${(of.mbPerSecond / f.tcp.mbPerSecond).toFixed(2)}× the baseline's throughput, ${(of.cpuMicrosPerMb / f.tcp.cpuMicrosPerMb).toFixed(2)}× its CPU a MB`;
    console.log(`    ratio     (a) ${ratio(f.ring)}; (b) ${ratio(f.link)}`);
    console.log(`    audio     (a) carries ${Math.floor((f.ring.mbPerSecond * 1e6) / audioBytesPerSecond).toLocaleString('en')} such audio streams, (b) ${Math.floor((f.link.mbPerSecond * 1e6) / audioBytesPerSecond).toLocaleString('en')}`);
  }
  return figures;
}

function rates(total: { bytes: number; records: number; ms: number; cpuMicros: number }): StreamFigures {
  return { mbPerSecond: total.bytes / 1e6 / (total.ms / 1000), recordsPerSecond: total.records / (total.ms / 1000), cpuMicrosPerMb: total.cpuMicros / (total.bytes / 1e6) };
}

/** (a): a producer worker and this thread, through a ring channel pair. */
async function ringRun(recordBytes: number): Promise<StreamRun> {
  const [producerEnd, consumerEnd] = ringChannelPair({ capacity: inFlightBytes, maxMessageBytes: 64 * 1024 });
  const channel = new RingChannel(consumerEnd);
  let bytes = 0;
  let records = 0;
  let first = 0;
  let last = 0;
  let cpu = process.cpuUsage();
  const done = new Promise<void>((resolve) => {
    channel.onMessage((message) => {
      const now = performance.now();
      if (message.length === endMarker.length) {
        resolve();
        return;
      }
      if (records === 0) {
        first = now;
        // The process's CPU: both threads, the producer's and this one's.
        cpu = process.cpuUsage();
      }
      bytes += message.length;
      records++;
      last = now;
    });
  });
  const worker = new Worker(script('ringProducer.js'), { workerData: { end: producerEnd, recordBytes, seconds } });
  const failed = once(worker, 'error').then(([error]) => Promise.reject(error as Error));
  await Promise.race([done, failed]);
  const cpuMicros = cpuSince(cpu);
  channel.close();
  await worker.terminate();
  return { bytes, records, ms: last - first, cpuMicros };
}

/** (b) and (c): the consumer and the producer, each a process of its own. */
async function processRun(transport: 'link' | 'tcp', recordBytes: number, key: string): Promise<StreamRun> {
  const receiver = fork(script('linkReceiver.js'), [transport, String(recordBytes), String(inFlightBytes), key], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await nextMessage<{ port: number }>(receiver, 'port');
    const sender = fork(script('linkSender.js'), [transport, String(port), String(recordBytes), String(seconds), key], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const [{ done }, { cpuMicros }] = await Promise.all([nextMessage<{ done: StreamRun }>(receiver, 'done'), nextMessage<{ cpuMicros: number }>(sender, 'cpuMicros')]);
      return { ...done, cpuMicros: done.cpuMicros + cpuMicros };
    } finally {
      sender.kill();
    }
  } finally {
    receiver.kill();
  }
}

function nextMessage<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !(field in message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => reject(new Error(`a streams bench process exited (${signal ?? code}) before it sent ${field}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
