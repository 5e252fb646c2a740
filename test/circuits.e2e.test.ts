import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import type { BoardConfig } from '../builder/build/BoardImage.js';
import type { BuildPlan } from '../builder/plan/BuildPlan.js';
import { runCli } from '../cli/runCli.js';
import { decodeWav, encodeWav } from '../drivers/audio/wav.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { bootBoard, type BootedBoard } from '../kernel-js/boot/bootBoard.js';
import type { DatagramPort } from '../kernel-js/circuit/DatagramPort.js';
import { udpDatagramPort } from '../kernel-js/circuit/udpDatagramPort.js';
import { freePort } from './freePort.js';

// A room whose button is on one board and whose lamp is on another: the planner runs the
// lights app on the switch's board and gives the lamp a control circuit, keyed at build time.
// A press travels as one sealed datagram: in the simulator over its in-process network, and
// between two booted boards over real UDP on the loopback.
let parent: string;
let root: string;
let ports: [number, number];
const ledgerRef = 'refs/osmose/builds';

const building = (switchPort: number, ceilingPort: number): string => `osmose: 1
building: {id: circuits-test, name: Circuits}
spaces:
  - id: room
    kind: room
    name: Room
    boards:
      - id: room-switch
        board: sim
        address: 127.0.0.1:${switchPort}
        devices:
          button: {driver: gpio-in, pin: GPIO17, pull: up, activeLow: true, debounce: 10ms}
      - id: room-ceiling
        board: sim
        address: 127.0.0.1:${ceilingPort}
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

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const config = (board: string): BoardConfig => JSON.parse(git('show', `${ledgerRef}:configs/${board}.json`)) as BoardConfig;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-circuits-'));
  root = join(parent, 'b');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  ports = [await freePort(), await freePort()];
  await writeFile(join(root, 'building.yaml'), building(...ports));
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
}, 120_000);

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('the build', () => {
  it('gives the circuit its endpoints and one pairwise key, in both boards’ signed configurations only', async () => {
    const plan = JSON.parse(git('show', `${ledgerRef}:plan.json`)) as BuildPlan;
    expect(plan.fragments.map((f) => [f.instance, f.board])).toEqual([['lights@room', 'room-switch']]);
    expect(plan.circuits.map((c) => c.id)).toEqual(['lights@room/lamp']);
    expect(plan.boards.map((b) => b.address)).toEqual([`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`]);

    const [atSwitch, atCeiling] = [config('room-switch').circuits, config('room-ceiling').circuits];
    expect(atSwitch).toEqual(atCeiling);
    expect(atSwitch).toMatchObject([
      { id: 'lights@room/lamp', kind: 'control', direction: 'from-app', app: { board: 'room-switch', need: 'lamp', address: `127.0.0.1:${ports[0]}` }, device: { board: 'room-ceiling', device: 'lamp', address: `127.0.0.1:${ports[1]}` } },
    ]);
    const key = atSwitch[0]?.key ?? '';
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // The plan, which reports and the gateway read, never holds a key.
    expect(git('show', `${ledgerRef}:plan.json`)).not.toContain(key);
    expect((await stat(join(root, '.osmose/keys/circuits.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(root, '.gitignore'), 'utf8')).toMatch(/\.osmose/);
  });

  it('keeps the key from build to build, and re-keys a circuit whose end moves', async () => {
    const before = config('room-ceiling').circuits[0]?.key;
    await writeFile(join(root, 'building.yaml'), `${building(...ports)}# touched\n`);
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
    expect(config('room-ceiling').circuits[0]?.key).toBe(before);
    await writeFile(join(root, 'building.yaml'), building(...ports).replaceAll('room-ceiling', 'room-ceiling-2'));
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
    expect(config('room-ceiling-2').circuits[0]?.key).not.toBe(before);
    await writeFile(join(root, 'building.yaml'), building(...ports));
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
    expect(config('room-ceiling').circuits[0]?.key).toBe(before);
  }, 120_000);
});

describe('in the simulator', () => {
  it('a press of the button on one board toggles the lamp on the other', async () => {
    const sim = await SimBuilding.start(root, { boardsDir: join(parent, 'sim') });
    try {
      expect(sim.get('room-ceiling', 'lamp')).toMatchObject({ level: 0 });
      await sim.press('room-switch', 'button');
      const lamp = (): number | undefined => {
        const state = sim.get('room-ceiling', 'lamp');
        return 'level' in state ? state.level : undefined;
      };
      await until('the lamp to light', () => (lamp() === 1 ? true : undefined));
      await sim.press('room-switch', 'button');
      await until('the lamp to go out', () => (lamp() === 0 ? true : undefined));
      const health = await sim.board('room-ceiling').health();
      expect(health.circuits?.circuits['lights@room/lamp']).toMatchObject({ end: 'device', accepted: 2, forged: 0, replayed: 0 });
      expect((await sim.board('room-switch').health()).circuits?.circuits['lights@room/lamp']).toMatchObject({ end: 'app', sent: 2 });
    } finally {
      await sim.close();
    }
  }, 60_000);
});

describe('policy', () => {
  it('reaches a device across a circuit only when the fragment is granted channel', async () => {
    await writeFile(join(root, 'building.yaml'), building(...ports).replace('allow: [gpio, presence, channel]', 'allow: [gpio, presence]'));
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
    const sim = await SimBuilding.start(root, { boardsDir: join(parent, 'sim-no-channel') });
    try {
      await sim.press('room-switch', 'button');
      // The app's lamp handle is NotFound, so its write sends nothing.
      expect((await sim.board('room-switch').health()).circuits?.circuits['lights@room/lamp']).toMatchObject({ sent: 0 });
      expect(sim.get('room-ceiling', 'lamp')).toMatchObject({ level: 0 });
    } finally {
      await sim.close();
      await writeFile(join(root, 'building.yaml'), building(...ports));
      await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
    }
  }, 120_000);
});

describe('between two booted boards over UDP', () => {
  let boards: BootedBoard[] = [];
  const sent: Uint8Array[] = [];

  afterAll(async () => {
    for (const board of boards) await board.close();
  });

  it('carries each press as one datagram, and refuses a replayed one and a forged one', async () => {
    const dirs = [join(parent, 'udp', 'room-switch'), join(parent, 'udp', 'room-ceiling')];
    await writeBoardDirectory(root, 'room-switch', dirs[0] ?? '');
    await writeBoardDirectory(root, 'room-ceiling', dirs[1] ?? '');
    // The switch's port records what it sends, as someone on the network could.
    const recording = async (address: string): Promise<DatagramPort> => {
      const port = await udpDatagramPort(address);
      return { ...port, address: port.address, send: (to, bytes) => (sent.push(Uint8Array.from(bytes)), port.send(to, bytes)), onDatagram: (l) => port.onDatagram(l), close: () => port.close() };
    };
    const ceiling = await bootBoard(dirs[1] ?? '');
    const lightSwitch = await bootBoard(dirs[0] ?? '', { datagrams: recording });
    boards = [lightSwitch, ceiling];
    await Promise.all(boards.map((board) => board.settled));
    const lamp = (): number => ceiling.sim?.gpio.level('GPIO27') ?? -1;
    const press = async (): Promise<void> => {
      lightSwitch.sim?.gpio.setInput('GPIO17', 0);
      await new Promise((resolve) => setTimeout(resolve, 30));
      lightSwitch.sim?.gpio.setInput('GPIO17', 1);
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    await press();
    await until('the lamp to light', () => (lamp() === 1 ? true : undefined));
    const lit = sent.at(-1);
    expect(lit).toBeDefined();
    await press();
    await until('the lamp to go out', () => (lamp() === 0 ? true : undefined));

    // The datagram that lit the lamp, sent again, and one with a byte changed.
    const attacker = createSocket('udp4');
    const send = (bytes: Uint8Array): Promise<void> => new Promise((resolve, reject) => attacker.send(bytes, ports[1], '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    await send(lit ?? new Uint8Array());
    const forged = Uint8Array.from(lit ?? new Uint8Array());
    forged[forged.length - 20] = (forged[forged.length - 20] ?? 0) ^ 1;
    await send(forged);
    attacker.close();
    let circuit: Record<string, unknown> | undefined;
    for (let i = 0; i < 500; i++) {
      circuit = (await ceiling.health()).circuits?.circuits['lights@room/lamp'] as Record<string, unknown> | undefined;
      if (circuit?.['replayed'] === 1 && circuit['forged'] === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(circuit).toMatchObject({ end: 'device', accepted: 2, replayed: 1, forged: 1 });
    // Neither reached the lamp.
    expect(lamp()).toBe(0);
  }, 60_000);
});

// Audio across stream circuits: a relay app on a board with no devices of its own captures a
// microphone on one board and plays what it hears on a speaker on a third, each over a
// stream circuit (TCP, sealed frames, flow control).
const relayApp = `import { EventKind, Status, audio } from "osmose";

const mic = audio.microphone("mic");
const speaker = audio.speaker("speaker");

export function start(): Status {
  return mic.start();
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Audio || !mic.is(source)) return Status.Ignored;
  const pcm = new Uint8Array(value);
  const taken = mic.read(pcm);
  if (taken < 0) return taken;
  const played = speaker.write(pcm.subarray(0, taken));
  return played < 0 ? played : Status.Ok;
}
`;

const audioBuilding = (ports: readonly number[]): string => `osmose: 1
building: {id: streams-test, name: Streams}
spaces:
  - id: studio
    kind: room
    name: Studio
    boards:
      - id: studio-mic
        board: sim
        address: 127.0.0.1:${ports[0]}
        devices:
          mic: {driver: audio-in, rate: 16000, channels: 1}
      - id: studio-relay
        board: sim
        address: 127.0.0.1:${ports[1]}
      - id: studio-speaker
        board: sim
        address: 127.0.0.1:${ports[2]}
        devices:
          speaker: {driver: audio-out, rate: 16000, channels: 1}
apps:
  - name: relay
    source: apps/relay
    place: {ids: [studio-relay]}
    needs: [mic, speaker]
policies:
  default: deny
  rules:
    - app: relay
      allow: [audio.in, audio.out, channel]
`;

describe('audio across stream circuits', () => {
  it('a microphone on one board is heard on a speaker on another, through an app on a third', async () => {
    const streamsRoot = join(parent, 'streams');
    expect(await runCli(['init', streamsRoot, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
    await mkdir(join(streamsRoot, 'apps', 'relay', 'assembly'), { recursive: true });
    await writeFile(join(streamsRoot, 'apps', 'relay', 'assembly', 'index.ts'), relayApp);
    await writeFile(join(streamsRoot, 'building.yaml'), audioBuilding([await freePort(), await freePort(), await freePort()]));
    await buildBuilding({ root: streamsRoot, timestamp: Math.floor(Date.now() / 1000) - 60 });
    const sim = await SimBuilding.start(streamsRoot, { boardsDir: join(parent, 'streams-sim') });
    try {
      // The relay's start asked the microphone's board to capture, across the circuit.
      await until('the microphone to capture', () => (sim.injectWav('studio-mic', 'mic', encodeWav({ rate: 16_000, channels: 1, samples: new Int16Array(0) })) ? true : undefined));
      const samples = Int16Array.from({ length: 16_000 }, (_, i) => Math.round(8000 * Math.sin(i / 10)));
      expect(sim.injectWav('studio-mic', 'mic', encodeWav({ rate: 16_000, channels: 1, samples }))).toBe(true);
      const heard = await until('the speaker to play a second of audio', () => {
        const played = decodeWav(sim.speakerWav('studio-speaker', 'speaker')).samples;
        return played.length >= samples.length ? played : undefined;
      });
      // Every sample, in order, nothing lost or added on the way.
      expect(Array.from(heard.subarray(0, samples.length))).toEqual(Array.from(samples));
      // The relay's board reports its links; none refused a chunk.
      expect((await sim.board('studio-relay').health()).streams['relay@studio-relay/mic']).toMatchObject({ connections: 1, busy: 0, forged: 0 });
      const config = JSON.parse(execFileSync('git', ['-C', streamsRoot, 'show', `${ledgerRef}:configs/studio-relay.json`], { encoding: 'utf8' })) as BoardConfig;
      expect(config.circuits.map((c) => [c.id, c.kind, c.bandwidth])).toEqual([
        ['relay@studio-relay/mic', 'stream', 32_000],
        ['relay@studio-relay/speaker', 'stream', 32_000],
      ]);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
