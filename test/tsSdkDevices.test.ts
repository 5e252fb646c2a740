// The devices of the TypeScript SDK (userland/sdk/typescript) that test/tsSdk.test.ts leaves
// out, end to end: apps bundled as the builder bundles them, type-checked, linked on the real
// kernel host in the board's script engine, over the repository's real parts: a SerialLine on a
// simulated cable, two boards joined by in-memory circuits, a Microphone on a SimMicrophone, a
// VaultEnclave, a RecordKeeper on a temporary data directory and GatewayPresence. It proves that
// serial ports, channels, the microphone and the enclave do in TypeScript what the AssemblyScript
// SDK does, and that the shipped recorder, ported to TypeScript, keeps each key epoch for exactly
// the people who were present.
import { readScriptEngine } from '../builder/compile/readScriptEngine.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { typeCheckScriptApp } from '../builder/compile/typeCheckScriptApp.js';
import { Microphone, SerialLine, SimEnclaveBus, SimMicrophone, simSerialPair, VaultEnclave } from '../drivers/index.js';
import { GatewayPresence } from '../kernel-js/agent/GatewayPresence.js';
import type { KernelBoardConfig, KernelFragment } from '../kernel-js/boot/KernelImage.js';
import type { FragmentContext } from '../kernel-js/host/FragmentContext.js';
import { abiCodes } from '../kernel-js/host/abiCodes.js';
import { memoryDevices, type KernelDevices } from '../kernel-js/host/KernelDevices.js';
import { memoryChannelPair } from '../kernel-js/host/memoryChannels.js';
import type { LinkedFragment } from '../kernel-js/host/linkFragment.js';
import { KernelError } from '../kernel-js/KernelError.js';
import { listEpochs, openEpoch, RecordKeeper, type RecordingEvent } from '../kernel-js/record/index.js';
import { linkScriptFragment } from '../kernel-js/run/linkScriptFragment.js';
import { ScriptEngine } from '../kernel-js/run/ScriptEngine.js';
import { abiDefinition } from '../userland/abi/index.js';
import { osmoseSdkPlugin } from '../userland/sdk/typescript/osmoseSdkPlugin.js';
import { scriptImports } from '../userland/sdk/typescript/scriptImports.js';
import { person, tone, type Person } from './fixtures/recordingPeople.js';

const { status, event } = abiCodes;
const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const notAParticipant = { code: 'record.not-a-participant' };

let engine: ScriptEngine;
let folder: string;
beforeAll(async () => {
  engine = await ScriptEngine.load(await readScriptEngine());
  folder = await mkdtemp(join(tmpdir(), 'osmose-ts-sdk-devices-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});
const linkedNow: LinkedFragment[] = [];
afterEach(() => {
  for (const linked of linkedNow.splice(0)) linked.close();
});

/** A fragment whose needs are bound to devices of the same name on its own board. */
function fragmentOf(instance: string, needs: Readonly<Record<string, string>>, capabilities: readonly string[], extra: Partial<KernelFragment> = {}): KernelFragment {
  const board = instance.split('@')[1] ?? 'board';
  const bindings = Object.fromEntries(Object.entries(needs).map(([alias, driver]) => [alias, { board, device: alias, driver, local: true }]));
  return { instance, app: instance.split('@')[0] ?? instance, bindings, capabilities, ...extra };
}

/** One board running one fragment: what the host raised for it (not yet handled) and what it logged. */
interface Board {
  readonly raised: [number, number, number][];
  readonly logs: string[];
  readonly linked: LinkedFragment;
  readonly imports: string[];
}

/** An app's source as the builder bundles it: its own file, the SDK through the plugin. */
async function bundle(source: string, name: string): Promise<string> {
  const file = join(folder, `${name}.ts`);
  await writeFile(file, source);
  const result = await build({ entryPoints: [file], bundle: true, write: false, format: 'iife', target: 'es2023', logLevel: 'silent', plugins: [osmoseSdkPlugin()] });
  return result.outputFiles[0]?.text ?? '';
}

/** Type-checks, bundles and links an app on a board of its own, then runs its top level. */
async function boot(source: string, fragment: KernelFragment, devices: Partial<KernelDevices>): Promise<Board> {
  expect(await typeCheckScriptApp(new Map([['src/index.ts', source]]), 'src/index.ts')).toEqual([]);
  const text = await bundle(source, fragment.instance.replace(/\W/g, '-'));
  const imports = scriptImports(text);
  const config: KernelBoardConfig = {
    format: 1,
    abi: abiDefinition.version,
    board: { id: fragment.instance.split('@')[1] ?? 'board', type: 'sim', space: ['b', 'room'] },
    devices: Object.fromEntries(Object.values(fragment.bindings).map((binding) => [binding.device, { driver: binding.driver, settings: {} }])),
    fragments: [fragment],
    circuits: [],
  };
  const raised: [number, number, number][] = [];
  const logs: string[] = [];
  const context: FragmentContext = {
    config,
    fragment,
    devices: { ...memoryDevices(config.devices), ...devices },
    memoryPages: 64,
    budgetMs: 500,
    log: (_level, message) => logs.push(message),
    now: () => 1_700_000_000_000,
    monotonic: () => 0,
    schedule: () => () => undefined,
    raise: (kind, source, value) => raised.push([kind, source, value]),
  };
  const linked = linkScriptFragment(engine, { format: 1, abi: abiDefinition.version, imports, source: text }, context);
  linkedNow.push(linked);
  linked.initialize();
  return { raised, logs, linked, imports };
}

/** Hands the board's app every event raised so far, oldest first, as the kernel's queue would; answers its statuses. */
function deliver(board: Board): number[] {
  const answers: number[] = [];
  for (let event = board.raised.shift(); event !== undefined; event = board.raised.shift()) answers.push(board.linked.handle(...event));
  return answers;
}

/** Lets bytes on a simulated cable arrive (it delivers on a later microtask, as a line would). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('serial ports from TypeScript', () => {
  const meterApp = `
import { app, serial, log, decodeUtf8, EventKind, Status } from "osmose";

const meter = serial.open("meter");
const spare = serial.open("spare");
const nowhere = serial.open("nowhere");

app({
  start() {
    const text = meter.writeText("Zählerstand ⚡ 42\\n");
    const bytes = meter.write(new Uint8Array([0, 1, 0xfe, 0xff]));
    log.info(\`wrote \${text} \${bytes}\`);
    const into = new Uint8Array(4);
    log.info(JSON.stringify([spare.found, spare.write(into), spare.writeText("x"), spare.read(into), nowhere.found, nowhere.write(into), nowhere.writeText("x"), nowhere.read(into)]));
    return Status.Ok;
  },
  handle(kind, source, value) {
    if (kind !== EventKind.Serial || !meter.is(source)) return Status.Ignored;
    // Read in small pieces, to the end: a multi-byte character may be cut between two reads.
    const chunk = new Uint8Array(5);
    const all: number[] = [];
    for (let count = meter.read(chunk); count !== 0; count = meter.read(chunk)) {
      if (count < 0) return count;
      all.push(...chunk.subarray(0, count));
    }
    const received = Uint8Array.from(all);
    log.info(\`read \${received.length} of \${value}: \${decodeUtf8(received)}\`);
    return meter.write(received) === received.length ? Status.Ok : Status.Failed;
  },
});
`;

  it('writes text (as UTF-8) and bytes to the far end, reads what it sends back in pieces, and echoes it', async () => {
    const [near, far] = simSerialPair();
    const heard: number[] = [];
    far.onData((bytes) => heard.push(...bytes));
    const line = new SerialLine({ bus: near, port: 'serial0' });
    // "spare" is bound on this board but has no driver behind it; "nowhere" is no need of the app's.
    const fragment = fragmentOf('meter@utility', { meter: 'serial', spare: 'serial' }, ['serial']);
    const board = await boot(meterApp, fragment, { serial: (device) => (device === 'meter' ? line : undefined) });
    expect(board.imports).toEqual(['config.device', 'log.write', 'serial.read', 'serial.write']);

    expect(board.linked.start()).toBe(status.Ok);
    await settle();
    const text = utf8('Zählerstand ⚡ 42\n');
    expect(heard).toEqual([...text, 0, 1, 0xfe, 0xff]);
    // writeText answers bytes taken, not characters: "ä" is two bytes and "⚡" three.
    expect(board.logs[0]).toBe(`wrote ${text.length} 4`);
    expect(text.length).toBe('Zählerstand ⚡ 42\n'.length + 3);
    const { BadHandle, NotFound } = status;
    expect(JSON.parse(board.logs[1] ?? '[]')).toEqual([true, BadHandle, BadHandle, BadHandle, false, NotFound, NotFound, NotFound]);

    heard.length = 0;
    const reply = utf8('réponse: 17 kWh ✓');
    await far.write(Uint8Array.from(reply));
    await settle();
    const handle = board.linked.handles.get('meter') ?? -1;
    expect(board.raised).toEqual([[event.Serial, handle, reply.length]]);
    expect(deliver(board)).toEqual([status.Ok]);
    expect(board.logs[2]).toBe(`read ${reply.length} of ${reply.length}: réponse: 17 kWh ✓`);
    await settle();
    expect(heard).toEqual(reply);
    // Another device's event is not the meter's.
    expect(board.linked.handle(event.Serial, handle + 1, 3)).toBe(status.Ignored);
    await line.close();
  });

  it('is refused by the kernel when serial is not granted', async () => {
    const fragment = fragmentOf('meter@utility', { meter: 'serial' }, ['presence']);
    await expect(boot(meterApp, fragment, {})).rejects.toThrow(expect.objectContaining({ code: 'kernel.ungranted-import' }));
  });
});

describe('channels between two boards from TypeScript', () => {
  const doorApp = `
import { app, channel, log, EventKind, Status } from "osmose";

const hall = channel.open("door-hall");
const lift = channel.open("door-lift");
const nowhere = channel.open("door-roof");

app({
  start() {
    log.info(JSON.stringify({
      text: hall.sendText("héllo"),
      bytes: hall.send(new Uint8Array([0, 1, 2, 255])),
      tooLarge: hall.send(new Uint8Array(33)),
      fits: hall.send(new Uint8Array(32)),
      empty: hall.send(new Uint8Array(0)),
      lift: [lift.sendText("étage 3"), lift.sendText("étage 4")],
      nowhere: [nowhere.handle, nowhere.sendText("x"), nowhere.send(new Uint8Array(1)), nowhere.receive(), nowhere.receiveText(), nowhere.is(nowhere.handle)],
      distinct: hall.handle !== lift.handle,
    }));
    return Status.Ok;
  },
  handle(kind, source) {
    if (kind !== EventKind.Message || !hall.is(source)) return Status.Ignored;
    log.info(\`answer: \${hall.receiveText() ?? "none"}\`);
    return Status.Ok;
  },
});
`;

  const hallApp = `
import { app, channel, log, decodeUtf8, EventKind, Status } from "osmose";

const door = channel.open("door-hall");

app({
  handle(kind, source, value) {
    if (kind !== EventKind.Message || !door.is(source)) return Status.Ignored;
    // Everything waiting is taken at the first event; the next finds nothing.
    let taken = 0;
    for (let message = door.receive(); message !== null; message = door.receive()) {
      taken++;
      log.info(\`\${value} \${message.length} [\${message.join(",")}] \${JSON.stringify(decodeUtf8(message))}\`);
      const sent = door.sendText(\`reçu \${message.length} octets\`);
      if (sent !== Status.Ok) return sent;
    }
    if (taken === 0) log.info(\`nothing waits: \${door.receiveText() ?? "null"}\`);
    return Status.Ok;
  },
});
`;

  it('carries text and bytes both ways, names the channel of each Message, and answers TooLarge, Busy and NotFound', async () => {
    const [doorEnd, hallEnd] = memoryChannelPair({ maxMessageBytes: 32 });
    // The lift's board never opens its end: one message waits for it, the next finds the stream full.
    const [liftEnd] = memoryChannelPair({ capacity: 1 });
    const hall = await boot(hallApp, fragmentOf('hall@hall', {}, ['channel']), { channels: { open: (name) => (name === 'door-hall' ? hallEnd : undefined) } });
    const doorCircuits: Readonly<Record<string, typeof doorEnd>> = { 'door-hall': doorEnd, 'door-lift': liftEnd };
    const door = await boot(doorApp, fragmentOf('door@door', {}, ['channel']), { channels: { open: (name) => doorCircuits[name] } });
    for (const board of [door, hall]) expect(board.imports).toEqual(['channel.open', 'channel.receive', 'channel.send', 'log.write']);

    expect(door.linked.start()).toBe(status.Ok);
    const { Ok, TooLarge, Busy, NotFound } = status;
    expect(JSON.parse(door.logs[0] ?? '{}')).toEqual({ text: Ok, bytes: Ok, tooLarge: TooLarge, fits: Ok, empty: Ok, lift: [Ok, Busy], nowhere: [NotFound, NotFound, NotFound, null, null, false], distinct: true });

    // The hall's host raised one Message per arrival, each with its channel's handle and the length of the oldest waiting (héllo's 6 bytes).
    expect(hall.raised).toEqual(Array.from({ length: 4 }, () => [event.Message, 1, 6]));
    expect(deliver(hall)).toEqual([Ok, Ok, Ok, Ok]);
    expect(hall.logs).toEqual([
      `6 6 [${utf8('héllo').join(',')}] "héllo"`,
      `6 4 [0,1,2,255] ${JSON.stringify('\u0000\u0001\u0002\ufffd')}`,
      `6 32 [${new Array<number>(32).fill(0).join(',')}] ${JSON.stringify('\u0000'.repeat(32))}`,
      // An empty message is a message too: received as zero bytes, not lost.
      '6 0 [] ""',
      'nothing waits: null',
      'nothing waits: null',
      'nothing waits: null',
    ]);
    // The answers came back over the same circuit: the door hears each on its Message event.
    expect(door.raised.map(([kind, source]) => [kind, source])).toEqual(Array.from({ length: 4 }, () => [event.Message, 1]));
    expect(deliver(door)).toEqual([Ok, Ok, Ok, Ok]);
    expect(door.logs.slice(1)).toEqual(['answer: reçu 6 octets', 'answer: reçu 4 octets', 'answer: reçu 32 octets', 'answer: reçu 0 octets']);
    // A Message from another channel is not the hall's.
    expect(door.linked.handle(event.Message, 2, 1)).toBe(status.Ignored);
  });
});

describe('the microphone and the enclave from TypeScript', () => {
  const rate = 16_000;
  const dataDirs: string[] = [];
  afterAll(async () => {
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  /** A meeting room's parts: a microphone of `channels` on a SimMicrophone, a VaultEnclave, a RecordKeeper and the presence the gateway would push. */
  async function room(fragment: KernelFragment, channels: number) {
    const dataDir = await mkdtemp(join(tmpdir(), 'osmose-ts-records-'));
    dataDirs.push(dataDir);
    let clock = Date.parse('2026-11-27T10:00:00.000Z');
    const recordings: RecordingEvent[] = [];
    const keeper = new RecordKeeper({ dataDir, board: 'room-table', fragments: [fragment], now: () => new Date((clock += 1000)), onRecording: (event) => recordings.push(event) });
    const micBus = new SimMicrophone();
    const mic = new Microphone({ bus: micBus, rate, channels });
    const vault = new VaultEnclave({ bus: new SimEnclaveBus() });
    const presence = new GatewayPresence();
    const handles = new Map<Person, number>();
    const change = (arrived: boolean, who: Person): void => {
      if (!handles.has(who)) handles.set(who, 11 + handles.size);
      presence.apply({ arrived, person: { handle: handles.get(who) ?? 0, destination: '', publicKey: who.publicKey } });
    };
    const devices: Partial<KernelDevices> = {
      microphone: (device) => (device === 'mic' ? mic : undefined),
      enclave: (device) => (device === 'vault' ? vault : undefined),
      keep: keeper,
      presence,
    };
    return { dataDir, recordings, micBus, devices, arrive: (who: Person) => change(true, who), leave: (who: Person) => change(false, who) };
  }

  // userland/apps/recorder/assembly/index.ts, line for line on the TypeScript SDK: the exports
  // become app({ start, handle }), != becomes !==, i32 becomes number.
  const recorderApp = `
// Records the meeting into the room's enclave, sealed under a group key for exactly the
// people present. Whenever someone arrives or leaves, recording pauses at once and that key is
// dropped (its epoch ends: only the people it was for can read it), then goes on under a new
// key for the people present now, so nobody can read what was said while they were away. How
// long recordings are kept, and who may read them, is policy (retain, disclose) that the board
// enforces, not this app.
import { EventKind, Status, app, audio, enclave, presence } from "osmose";

const mic = audio.microphone("mic");
const vault = enclave.open("vault");
// The key stays inside the enclave; the app only ever holds its handle (-1: none, not recording).
let key = -1;

app({
  /**
   * At boot, and when the board restarts the app (the watchdog does after a trap or an event
   * that ran too long): records for the people already in the room, under a new key, rather
   * than waiting for the next arrival or departure. Nobody there: nothing to do.
   */
  start(): Status {
    return record();
  },

  handle(kind: EventKind, source: number, value: number): Status {
    if (kind !== EventKind.Arrived && kind !== EventKind.Left) return Status.Ignored;
    const paused = pause();
    if (paused !== Status.Ok) return paused;
    return record();
  },
});

/** Starts recording under a new key for the people present now. */
function record(): Status {
  const present = presence.count();
  // Presence could not be read: without knowing who is here there is no key to record under.
  if (present < 0) return present;
  const people = presence.here();
  if (people.length === 0) return Status.Ok; // they left already: nothing to record
  const derived = vault.groupKey(people);
  if (derived < 0) return derived;
  const status = mic.recordInto(vault, derived);
  if (status !== Status.Ok) {
    // Not recording: hold no key.
    vault.dropKey(derived);
    return status;
  }
  key = derived;
  return Status.Ok;
}

/** Stops recording and drops its key; nothing to do when not recording. */
function pause(): Status {
  if (key < 0) return Status.Ok;
  const stopped = mic.stop();
  const dropped = vault.dropKey(key);
  key = -1;
  return stopped !== Status.Ok ? stopped : dropped;
}
`;

  it('runs the recorder: each arrival and departure ends a key epoch, and each epoch opens for exactly the people present in it', async () => {
    const fragment = fragmentOf('recorder@room', { mic: 'audio-in', vault: 'enclave' }, ['audio.in', 'enclave', 'presence'], { retain: { duration: '1h', ms: 3_600_000 }, disclose: { to: 'participants' } });
    const meeting = await room(fragment, 2);
    const [alice, bob, eve] = [person('alice'), person('bob'), person('eve')];
    const board = await boot(recorderApp, fragment, meeting.devices);
    // A microphone brings all of its methods' calls (recordInto's audio.record among them), an enclave all of its own;
    // presence.here() shares its code with presence.expected(), and brings its call.
    expect(board.imports).toEqual(['audio.read', 'audio.record', 'audio.start', 'audio.stop', 'config.device', 'enclave.dropKey', 'enclave.groupKey', 'enclave.seal', 'presence.count', 'presence.expected', 'presence.list']);

    // Started in an empty room: no key, nothing heard.
    expect(board.linked.start()).toBe(status.Ok);
    expect(meeting.micBus.capturing).toBe(false);
    meeting.arrive(alice);
    expect(board.raised).toEqual([[event.Arrived, 11, 1]]);
    expect(deliver(board)).toEqual([status.Ok]);
    const alone = tone(320, 2, [0]);
    expect(meeting.micBus.inject(alone)).toBe(true);
    meeting.arrive(bob);
    expect(deliver(board)).toEqual([status.Ok]);
    const together = tone(480, 2, [0, 1], 320);
    expect(meeting.micBus.inject(together)).toBe(true);
    meeting.leave(alice);
    expect(deliver(board)).toEqual([status.Ok]);
    const after = tone(160, 2, [0], 800);
    expect(meeting.micBus.inject(after)).toBe(true);
    meeting.leave(bob);
    expect(deliver(board)).toEqual([status.Ok]);
    // Nobody is left: the microphone is off and what it would hear goes nowhere.
    expect(meeting.micBus.capturing).toBe(false);
    expect(meeting.micBus.inject(tone(160, 2, [0, 1]))).toBe(false);

    expect(meeting.recordings.map((e) => [e.kind, e.reason, e.members])).toEqual([
      ['begin', undefined, 1],
      ['end', 'arrived', 1],
      ['begin', undefined, 2],
      ['end', 'left', 2],
      ['begin', undefined, 1],
      ['end', 'left', 1],
    ]);
    const epochs = await listEpochs(meeting.dataDir);
    expect(epochs.map(({ manifest }) => [manifest.fragment, manifest.device, manifest.retainMs, manifest.disclose, manifest.members.map((m) => m.publicKey), manifest.endReason])).toEqual(
      [[alice], [alice, bob], [bob]].map((members, i) => ['recorder@room', 'vault', 3_600_000, 'participants', members.map((p) => Buffer.from(p.publicKey).toString('base64')), i === 0 ? 'arrived' : 'left']),
    );
    const [first, second, third] = epochs.map((epoch) => epoch.dir);
    const pcmOf = async (dir: string | undefined, who: Person): Promise<number[]> => [...(await openEpoch(dir ?? '', who.privateKey)).pcm];
    expect(await pcmOf(first, alice)).toEqual([...alone]);
    expect(await pcmOf(second, alice)).toEqual([...together]);
    expect(await pcmOf(second, bob)).toEqual([...together]);
    expect(await pcmOf(third, bob)).toEqual([...after]);
    // Bob was not there for the first, Alice had left before the third, Eve was never there.
    await expect(pcmOf(first, bob)).rejects.toThrow(expect.objectContaining(notAParticipant));
    await expect(pcmOf(third, alice)).rejects.toThrow(expect.objectContaining(notAParticipant));
    for (const dir of [first, second, third]) await expect(pcmOf(dir, eve)).rejects.toThrow(expect.objectContaining(notAParticipant));
    // The audio went from the microphone into the enclave: the app heard no Audio event and logged nothing.
    expect(board.logs).toEqual([]);
  });

  it('is refused a microphone without enclave: Microphone brings audio.record, which needs both', async () => {
    const fragment = fragmentOf('recorder@room', { mic: 'audio-in', vault: 'enclave' }, ['audio.in', 'presence']);
    const meeting = await room(fragment, 1);
    try {
      await boot(recorderApp, fragment, meeting.devices);
      expect.unreachable('the link should have been refused');
    } catch (error) {
      expect(error).toBeInstanceOf(KernelError);
      expect((error as KernelError).code).toBe('kernel.ungranted-import');
      expect((error as KernelError).message).toContain('audio.record (needs enclave)');
    }
  });

  const listenerApp = `
import { app, audio, log, EventKind, Status } from "osmose";

const mic = audio.microphone("mic");
const heard: number[] = [];

app({
  start() {
    return mic.start();
  },
  handle(kind, source, value) {
    if (kind !== EventKind.Audio || !mic.is(source)) return Status.Ignored;
    // Six bytes at a time from a stereo microphone: the host hands whole frames (four bytes) only.
    const chunk = new Uint8Array(6);
    const sizes: number[] = [];
    for (let count = mic.read(chunk); count !== 0; count = mic.read(chunk)) {
      if (count < 0) return count;
      sizes.push(count);
      heard.push(...chunk.subarray(0, count));
    }
    log.info(\`\${value} \${sizes.join(",")}\`);
    if (heard.length < 32) return Status.Ok;
    log.info(heard.join(","));
    return mic.stop();
  },
});
`;

  it('captures with start, reads whole frames of PCM on each Audio event, and stops', async () => {
    const fragment = fragmentOf('listener@room', { mic: 'audio-in' }, ['audio.in', 'enclave']);
    const meeting = await room(fragment, 2);
    const board = await boot(listenerApp, fragment, meeting.devices);
    expect(board.imports).toEqual(['audio.read', 'audio.record', 'audio.start', 'audio.stop', 'config.device', 'log.write']);

    expect(meeting.micBus.inject(Int16Array.from([1, 2]))).toBe(false);
    expect(board.linked.start()).toBe(status.Ok);
    expect(meeting.micBus.capturing).toBe(true);
    // Distinct samples, negative ones too, so byte order and offsets show: 4 then 4 stereo frames.
    const first = Int16Array.from([-32768, 32767, -1, 0, 258, -258, 1000, -1000]);
    const second = Int16Array.from({ length: 8 }, (_, i) => -4000 + 999 * i);
    meeting.micBus.inject(first);
    expect(deliver(board)).toEqual([status.Ok]);
    meeting.micBus.inject(second);
    expect(deliver(board)).toEqual([status.Ok]);
    expect(meeting.micBus.capturing).toBe(false);
    expect(meeting.micBus.inject(first)).toBe(false);

    expect(board.logs.slice(0, 2)).toEqual(['16 4,4,4,4', '16 4,4,4,4']);
    const le = [...first, ...second].flatMap((sample) => [sample & 0xff, (sample >> 8) & 0xff]);
    expect(board.logs[2]).toBe(le.join(','));
  });

  const notesApp = `
import { app, enclave, log, presence, encodeUtf8, EventKind, Status } from "osmose";

const vault = enclave.open("vault");
const nowhere = enclave.open("nowhere");

app({
  handle(kind) {
    if (kind !== EventKind.Left) return Status.Ignored;
    const key = vault.groupKey(presence.here());
    if (key < 0) return key;
    const answers = [
      key,
      vault.seal(key, encodeUtf8("Compte rendu — décisions ✅")),
      vault.seal(key, new Uint8Array([0, 255, 7])),
      vault.groupKey([]),
      vault.seal(key + 100, new Uint8Array(1)),
      vault.dropKey(key + 100),
      nowhere.groupKey(presence.here()),
      nowhere.seal(key, new Uint8Array(1)),
    ];
    answers.push(vault.dropKey(key), vault.seal(key, new Uint8Array(1)), vault.dropKey(key));
    log.info(JSON.stringify(answers));
    return Status.Ok;
  },
});
`;

  it('seals notes under a group key: kept in its epoch, readable by the people it was made for, by nobody else', async () => {
    const fragment = fragmentOf('notes@room', { vault: 'enclave' }, ['enclave', 'presence']);
    const meeting = await room(fragment, 1);
    const [alice, bob, carol] = [person('alice'), person('bob'), person('carol')];
    for (const who of [alice, bob, carol]) meeting.arrive(who);
    const board = await boot(notesApp, fragment, meeting.devices);
    expect(board.imports).toEqual(['config.device', 'enclave.dropKey', 'enclave.groupKey', 'enclave.seal', 'log.write', 'presence.count', 'presence.expected', 'presence.list']);
    meeting.leave(carol);
    expect(deliver(board)).toEqual([status.Ok]);
    const { Ok, BadArgument, NotFound } = status;
    expect(JSON.parse(board.logs[0] ?? '[]')).toEqual([1, Ok, Ok, BadArgument, NotFound, NotFound, NotFound, NotFound, Ok, NotFound, NotFound]);

    const [epoch, ...more] = await listEpochs(meeting.dataDir);
    expect(more).toEqual([]);
    expect(epoch?.manifest).toMatchObject({ fragment: 'notes@room', records: 2, endReason: 'dropped', members: [alice, bob].map((p, seat) => ({ seat, publicKey: Buffer.from(p.publicKey).toString('base64') })) });
    for (const who of [alice, bob]) {
      const { records } = await openEpoch(epoch?.dir ?? '', who.privateKey);
      expect(records.map((record) => [...record])).toEqual([utf8('Compte rendu — décisions ✅'), [0, 255, 7]]);
    }
    await expect(openEpoch(epoch?.dir ?? '', carol.privateKey)).rejects.toThrow(expect.objectContaining(notAParticipant));
  });
});
