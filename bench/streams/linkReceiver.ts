// The consuming board of bench/streams.ts, in a process of its own: listens on loopback, takes
// records until the end marker, and answers what it took over IPC. argv: transport (link or
// tcp), record bytes, window bytes, circuit key (hex).
import { once } from 'node:events';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StreamLink } from '../../kernel-js/stream/StreamLink.js';
import { benchCircuit, cpuSince, endMarker, type StreamRun } from './streamRun.js';

const [transport, recordText, windowText, keyHex] = process.argv.slice(2);
const send = (message: object): void => void process.send?.(message);

let bytes = 0;
let records = 0;
let first = 0;
let last = 0;
let cpu = process.cpuUsage();
const took = (length: number): void => {
  const now = performance.now();
  if (records === 0) {
    first = now;
    cpu = process.cpuUsage();
  }
  bytes += length;
  records++;
  last = now;
};
// TCP carries bytes, not records: its records are the bytes over the record size.
const result = (): StreamRun => ({ bytes, records: transport === 'tcp' ? bytes / Number(recordText) : records, ms: last - first, cpuMicros: cpuSince(cpu) });

if (transport === 'tcp') {
  // The baseline: bytes as they come, no framing, no crypto; the sender's end of stream ends the run.
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => took(chunk.length));
    socket.on('end', () => {
      send({ done: result() });
      server.close();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  send({ port: typeof address === 'object' && address !== null ? address.port : 0 });
} else {
  const link = await StreamLink.open({
    circuit: benchCircuit,
    key: Buffer.from(keyHex ?? '', 'hex'),
    end: 'app',
    address: { host: '127.0.0.1', port: 0 },
    maxMessageBytes: 64 * 1024,
    window: Number(windowText),
  });
  link.onMessage((message) => {
    if (message.length === endMarker.length) {
      send({ done: result() });
      link.close();
      return;
    }
    took(message.length);
  });
  send({ port: link.address.port });
}
