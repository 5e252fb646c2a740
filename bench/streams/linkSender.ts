// The producing board of bench/streams.ts, in a process of its own: dials the consumer on
// loopback and sends records of one size for the given seconds, as fast as the transport takes
// them, then the end marker. argv: transport (link or tcp), port, record bytes, seconds,
// circuit key (hex).
import { once } from 'node:events';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StreamLink } from '../../kernel-js/stream/StreamLink.js';
import { benchCircuit, cpuSince, endMarker } from './streamRun.js';

const [transport, portText, recordText, secondsText, keyHex] = process.argv.slice(2);
const port = Number(portText);
const record = new Uint8Array(Number(recordText)).fill(0x5a);
const send = (message: object): void => void process.send?.(message);

if (transport === 'tcp') {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const cpu = process.cpuUsage();
  const end = performance.now() + Number(secondsText) * 1000;
  while (performance.now() < end) {
    // The socket's own backpressure, so memory stays bounded; nothing else.
    if (!socket.write(record)) await once(socket, 'drain');
  }
  socket.end();
  await once(socket, 'close');
  send({ cpuMicros: cpuSince(cpu) });
} else {
  const link = await StreamLink.open({ circuit: benchCircuit, key: Buffer.from(keyHex ?? '', 'hex'), end: 'device', address: { host: '127.0.0.1', port }, maxMessageBytes: 64 * 1024 });
  await link.whenConnected();
  const cpu = process.cpuUsage();
  const end = performance.now() + Number(secondsText) * 1000;
  while (performance.now() < end) {
    if (link.send(record) !== 'ok') await link.writable(record.length);
  }
  while (link.send(endMarker) !== 'ok') await link.writable(endMarker.length);
  // The consumer closes its end once it has the marker: the cut says everything arrived.
  while (link.connected) await new Promise((resolve) => setTimeout(resolve, 5));
  const cpuMicros = cpuSince(cpu);
  link.close();
  send({ cpuMicros });
}
