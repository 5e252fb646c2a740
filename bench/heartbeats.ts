import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { connectGatewayRpc, serveGatewayRpc, type Health, type HeartbeatAck, type Hello } from '../kernel-js/net/gatewayRpc.js';

const run = promisify(execFile);
const seconds = 3;
const rounds = 3;
const warmupSeconds = 0.5;
const connections = 200;

export interface HeartbeatRates {
  /** Heartbeats answered a second, all connections together. */
  readonly capnp: number;
  /** The same heartbeat as a line of JSON each way over the same kind of TLS socket. */
  readonly json: number;
  /**
   * The process's CPU time (user and system, both ends together) a heartbeat costs, in
   * microseconds: steadier than the rates on a machine busy with other work.
   */
  readonly cpuMicros: { readonly capnp: number; readonly json: number };
}

export interface HeartbeatBench {
  readonly seconds: number;
  readonly one: HeartbeatRates;
  readonly many: HeartbeatRates & { readonly connections: number };
}

const hello: Hello = { board: 'bench-board', type: 'sim', image: 'bench', version: 1, slot: 'a', confirmed: true, agentState: 'idle', shim: 'kernel-js' };
const health = (sequence: number): Health => ({
  image: 'door-7f3a',
  version: 41,
  slot: 'b',
  confirmed: true,
  agentState: 'idle',
  running: true,
  stops: 0,
  uptimeMs: 86_400_000 + sequence,
  busy: false,
  selfTest: 'gpio ok; audio ok',
  sequence,
});

/** One board's heartbeat loop: send, wait for the ack, send the next. */
type Beat = (sequence: number) => Promise<HeartbeatAck>;

interface Transport {
  readonly label: string;
  /** Opens `count` board connections to the server and answers their heartbeat functions. */
  open(count: number): Promise<{ beats: Beat[]; close(): void }>;
}

/**
 * Heartbeats over the control plane (Cap'n Proto RPC on TLS 1.3), as a board's agent sends
 * them: each connection waits for its ack before sending the next. Over one connection, then
 * over 200 at once in one process (the gateway and the boards side by side, as on a test
 * machine), against the same heartbeat sent as newline-delimited JSON over the same TLS.
 */
export async function heartbeatBench(): Promise<HeartbeatBench> {
  const identity = await selfSignedIdentity();
  const capnp = await capnpTransport(identity);
  const json = await jsonTransport(identity);
  try {
    const one = { capnp: 0, json: 0, cpuMicros: { capnp: 0, json: 0 } };
    const many = { capnp: 0, json: 0, cpuMicros: { capnp: 0, json: 0 }, connections };
    for (const [count, into] of [
      [1, one],
      [connections, many],
    ] as const) {
      const opened = { capnp: await capnp.transport.open(count), json: await json.transport.open(count) };
      try {
        await acked(opened.json.beats, warmupSeconds);
        await acked(opened.capnp.beats, warmupSeconds);
        // In alternating rounds, so that collections and whatever else the machine is doing
        // fall on both alike.
        const acks = { capnp: 0, json: 0 };
        const elapsed = { capnp: 0, json: 0 };
        const cpu = { capnp: 0, json: 0 };
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? (['json', 'capnp'] as const) : (['capnp', 'json'] as const);
          for (const name of order) {
            const start = performance.now();
            const cpuStart = process.cpuUsage();
            acks[name] += await acked(opened[name].beats, seconds / rounds);
            const used = process.cpuUsage(cpuStart);
            cpu[name] += used.user + used.system;
            elapsed[name] += (performance.now() - start) / 1000;
          }
        }
        into.json = acks.json / elapsed.json;
        into.capnp = acks.capnp / elapsed.capnp;
        into.cpuMicros = { capnp: cpu.capnp / acks.capnp, json: cpu.json / acks.json };
      } finally {
        opened.capnp.close();
        opened.json.close();
      }
    }
    const perSecond = (n: number): string => `${Math.round(n).toLocaleString('en')}/s`;
    console.log(`heartbeats: the control plane over TLS 1.3 on 127.0.0.1, gateway and boards in one process, ${seconds} s each in ${rounds} alternating rounds, each connection awaiting its ack`);
    const cpu = (micros: number): string => `${micros.toFixed(0)} µs CPU a heartbeat`;
    console.log(`  one connection`);
    console.log(`    baseline  newline-delimited JSON over TLS    ${perSecond(one.json)}  ${cpu(one.cpuMicros.json)}`);
    console.log(`    osmose    Cap'n Proto RPC (capnp-es)         ${perSecond(one.capnp)}  ${cpu(one.cpuMicros.capnp)}  (${(1000 / one.capnp).toFixed(3)} ms a round trip)`);
    console.log(`    ratio     ${(one.capnp / one.json).toFixed(2)}× the baseline's rate, ${(one.cpuMicros.capnp / one.cpuMicros.json).toFixed(1)}× its CPU a heartbeat`);
    console.log(`  ${connections} connections at once`);
    console.log(`    baseline  newline-delimited JSON over TLS    ${perSecond(many.json)}  ${cpu(many.cpuMicros.json)}`);
    console.log(`    osmose    Cap'n Proto RPC (capnp-es)         ${perSecond(many.capnp)}  ${cpu(many.cpuMicros.capnp)}  (${perSecond(many.capnp / connections)} a connection)`);
    console.log(`    ratio     ${(many.capnp / many.json).toFixed(2)}× the baseline's rate, ${(many.cpuMicros.capnp / many.cpuMicros.json).toFixed(1)}× its CPU a heartbeat`);
    return { seconds, one, many };
  } finally {
    capnp.server.close();
    json.server.close();
  }
}

/** Runs every connection's heartbeat loop for `duration` seconds; answers how many were acked. */
async function acked(beats: readonly Beat[], duration: number): Promise<number> {
  let count = 0;
  const end = performance.now() + duration * 1000;
  await Promise.all(
    beats.map(async (beat) => {
      for (let sequence = 0; performance.now() < end; sequence++) {
        const ack = await beat(sequence);
        if (ack.sequence !== sequence) throw new Error(`heartbeat ${sequence} was acked as ${ack.sequence}`);
        count++;
      }
    }),
  );
  return count;
}

interface Identity {
  readonly key: string;
  readonly cert: string;
}

async function listen(identity: Identity, onSocket: (socket: TLSSocket) => void): Promise<Server> {
  const server = createServer({ key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3' }, (socket) => {
    socket.setNoDelay(true);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1', 1024);
  await once(server, 'listening');
  return server;
}

async function dial(server: Server, identity: Identity): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: identity.cert, servername: 'localhost', minVersion: 'TLSv1.3' });
  socket.setNoDelay(true);
  await once(socket, 'secureConnect');
  return socket;
}

async function capnpTransport(identity: Identity): Promise<{ server: Server; transport: Transport }> {
  const server = await listen(identity, (socket) => {
    serveGatewayRpc(socket, {
      enrol: () => Promise.resolve({ heartbeat: (beat) => Promise.resolve({ sequence: beat.sequence, intervalMs: 1_000 }), report: () => Promise.resolve() }),
    });
  });
  const board = { offer: () => Promise.resolve({ accepted: false, reason: '' }), commit: () => Promise.resolve(), revert: () => Promise.resolve({ reverted: false, reason: '' }) };
  const transport: Transport = {
    label: 'capnp',
    open: async (count) => {
      const links = await Promise.all(Array.from({ length: count }, async () => connectGatewayRpc(await dial(server, identity), hello, board)));
      return { beats: links.map(({ session }) => (sequence: number) => session.heartbeat(health(sequence))), close: () => links.forEach((link) => link.close()) };
    },
  };
  return { server, transport };
}

/** The baseline: one JSON object a line each way, the gateway answering each line as it comes. */
async function jsonTransport(identity: Identity): Promise<{ server: Server; transport: Transport }> {
  const server = await listen(identity, (socket) => {
    eachLine(socket, (line) => {
      const beat = JSON.parse(line) as Health;
      socket.write(`${JSON.stringify({ sequence: beat.sequence, intervalMs: 1_000 } satisfies HeartbeatAck)}\n`);
    });
  });
  const transport: Transport = {
    label: 'json',
    open: async (count) => {
      const sockets = await Promise.all(Array.from({ length: count }, () => dial(server, identity)));
      const beats = sockets.map((socket): Beat => {
        const waiting: ((ack: HeartbeatAck) => void)[] = [];
        eachLine(socket, (line) => waiting.shift()?.(JSON.parse(line) as HeartbeatAck));
        return (sequence) =>
          new Promise((resolve) => {
            waiting.push(resolve);
            socket.write(`${JSON.stringify(health(sequence))}\n`);
          });
      });
      return { beats, close: () => sockets.forEach((socket) => socket.destroy()) };
    },
  };
  return { server, transport };
}

function eachLine(socket: TLSSocket, onLine: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
}

/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost, the client's only CA. Made
 * with openssl: @peculiar/x509 needs a reflect-metadata polyfill loaded before it, which a
 * benchmark has no business installing.
 */
async function selfSignedIdentity(): Promise<Identity> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-bench-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=osmose bench gateway', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
