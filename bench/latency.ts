import { spawn, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import type { LatencyMessage, LatencyRole } from './latency/latencyBoard.js';

// bench/latency: a button press on one board turning on a lamp on another, the two boards in
// processes of their own on the loopback, over osmose's control circuit (one sealed UDP
// datagram, set up at build time) and, in the same run, through a real mosquitto broker
// (publish → subscribe → actuate). Presses alternate between the two paths in blocks, so the
// machine's other work falls on both alike. Each press waits for its lamp before the next.

const presses = 10_000;
const blocks = 10;
const warmup = 500;
const lostAfterMs = 1_000;

export interface LatencyFigures {
  readonly presses: number;
  readonly osmose: PathFigures;
  readonly broker: PathFigures;
  /** A bare UDP datagram between two Node processes, no app, no crypto: the floor of any path here. */
  readonly floor: PathFigures;
}

export interface PathFigures {
  /** Milliseconds from the button's edge to the lamp's. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Presses whose lamp never changed within a second. */
  readonly lost: number;
}

const building = (ports: readonly number[]): string => `osmose: 1
building: {id: latency-bench, name: Latency bench}
spaces:
  - id: room
    kind: room
    name: Room
    boards:
      - id: room-switch
        board: sim
        address: 127.0.0.1:${ports[0]}
        devices:
          button: {driver: gpio-in, pin: GPIO17, pull: up, activeLow: true, debounce: 0ms}
      - id: room-ceiling
        board: sim
        address: 127.0.0.1:${ports[1]}
        devices:
          lamp: {driver: gpio-out, pin: GPIO27}
apps:
  - name: lights
    source: apps/lights
    place: {kind: room}
    needs: [button, lamp]
policies:
  default: deny
  rules:
    - app: lights
      allow: [gpio, presence, channel]
`;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A board process of bench/latency/latencyBoard.ts, ready once it says so. */
class BoardProcess {
  readonly #child: ChildProcess;
  #waiting: ((message: LatencyMessage) => void)[] = [];
  readonly #inbox: LatencyMessage[] = [];

  constructor(role: LatencyRole, target: string) {
    this.#child = fork(new URL('./latency/latencyBoard.js', import.meta.url), [role, target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: LatencyMessage) => {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#inbox.push(message);
      else waiter(message);
    });
  }

  next(timeoutMs = 60_000): Promise<LatencyMessage | undefined> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== deliver);
        resolve(undefined);
      }, timeoutMs);
      const deliver = (message: LatencyMessage): void => {
        clearTimeout(timer);
        resolve(message);
      };
      this.#waiting.push(deliver);
    });
  }

  send(message: { press: number } | { report: number } | { stop: true }): void {
    this.#child.send(message);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    this.send({ stop: true });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await once(this.#child, 'exit');
    clearTimeout(timer);
  }
}

async function ready(board: BoardProcess, what: string): Promise<void> {
  const message = await board.next();
  if (message === undefined || !('ready' in message)) throw new Error(`${what} did not start`);
}

/** Presses `count` times and answers each press's latency in ms (NaN when lost). */
async function pressMany(sw: BoardProcess, ceiling: BoardProcess, from: number, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let n = from; n < from + count; n++) {
    sw.send({ press: n });
    const lit = await ceiling.next(lostAfterMs);
    sw.send({ report: n });
    const pressed = await sw.next();
    if (pressed === undefined || !('pressed' in pressed)) throw new Error(`the switch did not press ${n}`);
    latencies.push(lit !== undefined && 'lit' in lit ? Number(BigInt(lit.at) - BigInt(pressed.at)) / 1e6 : Number.NaN);
  }
  return latencies;
}

function figures(latencies: readonly number[]): PathFigures {
  const kept = latencies.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  const rank = (p: number): number => kept[Math.max(0, Math.ceil(p * kept.length) - 1)] ?? Number.NaN;
  return { p50: rank(0.5), p99: rank(0.99), p999: rank(0.999), max: kept.at(-1) ?? Number.NaN, lost: latencies.length - kept.length };
}

/** The mosquitto binary: Debian puts it in /usr/sbin, which a user's PATH may lack. */
async function mosquittoBinary(): Promise<string> {
  for (const dir of [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    const candidate = join(dir, 'mosquitto');
    if (await access(candidate).then(() => true, () => false)) return candidate;
  }
  throw new Error('mosquitto is not installed: apt-get install -y mosquitto (make system-tools does it)');
}

async function startBroker(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Nagle off on the broker's side too: its best case for small messages.
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\n`);
  const broker = spawn(await mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  broker.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  for (let attempt = 0; ; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    if (broker.exitCode !== null || attempt > 100) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      if (broker.exitCode !== null) return;
      broker.kill('SIGTERM');
      await once(broker, 'exit');
    },
  };
}

export async function benchLatency(): Promise<LatencyFigures> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-latency-'));
  const root = join(parent, 'b');
  const quiet = { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'bench only' }, interactive: false };
  const boards: BoardProcess[] = [];
  let broker: { url: string; stop: () => Promise<void> } | undefined;
  try {
    if ((await runCli(['init', root, '--template', 'coworking'], quiet)) !== 0) throw new Error('osmose init failed');
    await writeFile(join(root, 'building.yaml'), building([await freePort(), await freePort()]));
    await buildBuilding({ root });
    for (const board of ['room-switch', 'room-ceiling']) await writeBoardDirectory(root, board, join(parent, 'boards', board));
    broker = await startBroker(parent);

    const osmose = { sw: new BoardProcess('osmose-switch', join(parent, 'boards', 'room-switch')), ceiling: new BoardProcess('osmose-ceiling', join(parent, 'boards', 'room-ceiling')) };
    const mqtt = { sw: new BoardProcess('mqtt-switch', broker.url), ceiling: new BoardProcess('mqtt-ceiling', broker.url) };
    const floorPort = String(await freePort());
    const udp = { sw: new BoardProcess('udp-switch', floorPort), ceiling: new BoardProcess('udp-ceiling', floorPort) };
    boards.push(osmose.sw, osmose.ceiling, mqtt.sw, mqtt.ceiling, udp.sw, udp.ceiling);
    for (const [board, what] of [[osmose.ceiling, 'the ceiling board'], [osmose.sw, 'the switch board'], [mqtt.ceiling, 'the MQTT subscriber'], [mqtt.sw, 'the MQTT publisher'], [udp.ceiling, 'the UDP receiver'], [udp.sw, 'the UDP sender']] as const) await ready(board, what);

    const paths = { osmose, broker: mqtt, floor: udp };
    for (const path of Object.values(paths)) await pressMany(path.sw, path.ceiling, 0, warmup);
    const times = { osmose: [] as number[], broker: [] as number[], floor: [] as number[] };
    const perBlock = presses / blocks;
    for (let block = 0; block < blocks; block++) {
      for (const [name, path] of Object.entries(paths) as [keyof typeof paths, (typeof paths)[keyof typeof paths]][]) times[name].push(...(await pressMany(path.sw, path.ceiling, warmup + block * perBlock, perBlock)));
    }
    const result: LatencyFigures = { presses, osmose: figures(times.osmose), broker: figures(times.broker), floor: figures(times.floor) };
    print(result);
    return result;
  } finally {
    await Promise.all(boards.map((board) => board.stop()));
    await broker?.stop();
    await rm(parent, { recursive: true, force: true });
  }
}

function print(result: LatencyFigures): void {
  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  const line = (path: PathFigures): string => `p50 ${ms(path.p50)}  p99 ${ms(path.p99)}  p99.9 ${ms(path.p999)}  max ${ms(path.max)}  lost ${path.lost}`;
  const { osmose, broker, floor } = result;
  console.log(`latency: a button on one board lighting a lamp on another, each board its own process on 127.0.0.1, ${result.presses} presses a path in ${blocks} alternating blocks, ${warmup} warm-up presses each`);
  console.log(`  baseline  mosquitto (publish → subscribe → actuate)   ${line(broker)}`);
  console.log(`  osmose    control circuit (one sealed UDP datagram)  ${line(osmose)}`);
  console.log(`  floor     a bare UDP datagram, no app, no crypto     ${line(floor)}`);
  console.log(`  ratio     ${(broker.p50 / osmose.p50).toFixed(1)}× lower at p50, ${(broker.p99 / osmose.p99).toFixed(1)}× at p99, ${(broker.p999 / osmose.p999).toFixed(1)}× at p99.9`);
  console.log(`  targets   p99 ≤ 1 ms: ${osmose.p99 <= 1 ? 'met' : 'missed'}; ≥ 5× lower than the broker at p99: ${broker.p99 / osmose.p99 >= 5 ? 'met' : 'missed'}`);
}
