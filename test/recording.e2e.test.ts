import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed, unwrapKeyWith } from '../drivers/index.js';
import type { BoardConfig } from '../builder/build/BoardImage.js';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import type { BuildPlan } from '../builder/plan/BuildPlan.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { GatewayPresence } from '../kernel-js/agent/GatewayPresence.js';
import { bootBoard, type BootedBoard } from '../kernel-js/boot/bootBoard.js';
import { epochContext, epochFiles, eraseMember, listEpochs, openEpoch, sweepExpired, type EpochEntry, type RecordingEvent } from '../kernel-js/record/index.js';
import { readRecords } from '../kernel-js/record/sealedRecords.js';
import { filesHolding, person, tone, type Person } from './fixtures/recordingPeople.js';
import { freePort } from './freePort.js';

// A meeting room whose enclave is in the table and whose microphone array hangs from the
// ceiling, on another board: the shipped recorder app runs by the enclave and hears the
// microphone over a stream circuit. Three people arrive (the presence the gateway would push),
// they talk, one leaves, the others talk on; then the test reads the recordings as each person
// would, with their own X25519 key, erases one of them, and lets retention sweep the rest.
const ledgerRef = 'refs/osmose/builds';
const circuit = 'recorder@room/mic';
const rate = 16_000;
const channels = 3;

const building = (tablePort: number, ceilingPort: number): string => `osmose: 1
building: {id: recording-test, name: Recording}
spaces:
  - id: room
    kind: room
    name: Room
    boards:
      - id: room-table
        board: sim
        address: 127.0.0.1:${tablePort}
        devices:
          vault: {driver: enclave, capacity: 64MiB}
      - id: room-ceiling
        board: sim
        address: 127.0.0.1:${ceilingPort}
        devices:
          mic: {driver: audio-in, rate: ${rate}, channels: ${channels}}
apps:
  - name: recorder
    source: apps/recorder
    place: {kind: room}
    needs: [vault, mic]
policies:
  default: deny
  rules:
    - app: recorder
      allow: [audio.in, enclave, presence, channel]
      retain: 1h
      disclose: participants
`;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let parent: string;
let root: string;
let table: BootedBoard;
let ceiling: BootedBoard;
const presence = new GatewayPresence();
const events: RecordingEvent[] = [];
const [alice, bob, carol, eve] = [person('alice'), person('bob'), person('carol'), person('eve')];
const handles = new Map<Person, number>([[alice, 11], [bob, 12], [carol, 13]]);
const dataDir = (): string => join(parent, 'boards', 'room-table', 'data');

const arrive = (who: Person): void => presence.apply({ arrived: true, person: { handle: handles.get(who) ?? 0, destination: '', publicKey: who.publicKey } });
const leave = (who: Person): void => presence.apply({ arrived: false, person: { handle: handles.get(who) ?? 0, destination: '', publicKey: who.publicKey } });

/** Waits for the recorder to record for `members` people, and for the microphone's board to have acted on every start and stop the table sent it. */
async function recordingFor(members: number, begins: number): Promise<void> {
  await until(`recording for ${members}`, () => (events.filter((e) => e.kind === 'begin').length === begins && events.at(-1)?.kind === 'begin' && events.at(-1)?.members === members ? true : undefined));
  const sent = (await table.health()).streams[circuit]?.messagesSent ?? Number.POSITIVE_INFINITY;
  await until('the microphone to capture', async () => ((await ceiling.health()).streams[circuit]?.messagesReceived ?? 0) >= sent && ceiling.sim?.microphones[0]?.capturing === true ? true : undefined);
}

/** Speaks into the ceiling's microphone in 20 ms chunks, then waits until the open epoch holds every sample. */
async function say(pcm: Int16Array, reader: Person): Promise<void> {
  const mic = ceiling.sim?.microphones[0];
  const step = (rate / 50) * channels;
  for (let at = 0; at < pcm.length; at += step) expect(mic?.inject(pcm.slice(at, at + step))).toBe(true);
  await until('the epoch to hold what was said', async () => {
    const last = (await listEpochs(dataDir())).at(-1);
    return last !== undefined && (await openEpoch(last.dir, reader.privateKey)).pcm.length >= pcm.length ? true : undefined;
  });
}

const together = Int16Array.from([...tone(1600, channels, [0]), ...tone(1600, channels, [1, 2], 1600)]);
const afterCarolLeft = tone(3200, channels, [1], 3200);
let leftAt = 0;
let epochs: EpochEntry[] = [];

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-recording-'));
  root = join(parent, 'b');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await writeFile(join(root, 'building.yaml'), building(await freePort(), await freePort()));
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  for (const board of ['room-table', 'room-ceiling']) await writeBoardDirectory(root, board, join(parent, 'boards', board));
  ceiling = await bootBoard(join(parent, 'boards', 'room-ceiling'));
  table = await bootBoard(join(parent, 'boards', 'room-table'), { presence, onRecording: (event) => events.push(event), retentionSweepMs: 3_600_000 });
  await Promise.all([table.settled, ceiling.settled]);

  // They arrive one by one: each arrival pauses and re-keys for everyone present.
  arrive(alice);
  await recordingFor(1, 1);
  arrive(bob);
  await recordingFor(2, 2);
  arrive(carol);
  await recordingFor(3, 3);
  await say(together, alice);
  // Carol leaves: the recording pauses, the key epoch rotates, and Alice and Bob talk on.
  leftAt = performance.now();
  leave(carol);
  await recordingFor(2, 4);
  await say(afterCarolLeft, bob);
  // The meeting ends.
  leave(bob);
  await recordingFor(1, 5);
  leave(alice);
  await until('the last epoch to end', () => (events.at(-1)?.kind === 'end' && events.length === 10 ? true : undefined));
  epochs = await listEpochs(dataDir());
}, 120_000);

afterAll(async () => {
  await table.close();
  await ceiling.close();
  await rm(parent, { recursive: true, force: true });
});

describe('recording a meeting, the microphone on another board', () => {
  it('runs the recorder by the enclave, the microphone reached over a stream circuit, under the policy\'s retain and disclose', () => {
    const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    const plan = JSON.parse(git('show', `${ledgerRef}:plan.json`)) as BuildPlan;
    expect(plan.fragments.map((f) => [f.instance, f.board])).toEqual([['recorder@room', 'room-table']]);
    const config = JSON.parse(git('show', `${ledgerRef}:configs/room-table.json`)) as BoardConfig;
    expect(config.circuits.map((c) => [c.id, c.kind])).toEqual([[circuit, 'stream']]);
    expect(config.fragments[0]).toMatchObject({ retain: { ms: 3_600_000 }, disclose: { to: 'participants' } });
  });

  it('pauses and re-keys at every arrival and departure, and journals each epoch\'s begin and end', () => {
    expect(events.map((e) => [e.kind, e.members, e.reason])).toEqual([
      ['begin', 1, undefined],
      ['end', 1, 'arrived'],
      ['begin', 2, undefined],
      ['end', 2, 'arrived'],
      ['begin', 3, undefined],
      ['end', 3, 'left'],
      ['begin', 2, undefined],
      ['end', 2, 'left'],
      ['begin', 1, undefined],
      ['end', 1, 'left'],
    ]);
    expect(events.every((e) => e.board === 'room-table' && e.device === 'vault')).toBe(true);
    // The pause after Carol left was journalled after she left, and before the next epoch began.
    const pause = events[5];
    expect(pause?.at).toBeGreaterThanOrEqual(leftAt);
    expect(pause?.at).toBeLessThanOrEqual(events[6]?.at ?? 0);
    expect(epochs.map((e) => e.manifest.members.length)).toEqual([1, 2, 3, 2, 1]);
    expect(epochs.map((e) => e.manifest.retainMs)).toEqual(Array(5).fill(3_600_000));
  });

  it('lets each member decrypt, sample for sample, what was said while they were present, and no one else', async () => {
    const [, , meeting, afterwards] = epochs;
    if (meeting === undefined || afterwards === undefined) return expect.unreachable('the meeting\'s epochs');
    for (const who of [alice, bob, carol]) expect([...(await openEpoch(meeting.dir, who.privateKey)).pcm]).toEqual([...together]);
    for (const who of [alice, bob]) expect([...(await openEpoch(afterwards.dir, who.privateKey)).pcm]).toEqual([...afterCarolLeft]);
    // Someone not present opens none of it: no member entry, and no wrapped key opens with her key.
    for (const { dir, manifest } of epochs) {
      await expect(openEpoch(dir, eve.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.not-a-participant' }));
      for (const member of manifest.members) {
        expect(() => unwrapKeyWith(eve.privateKey, Buffer.from(member.wrappedKey ?? '', 'base64'), epochContext(manifest.epoch))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      }
    }
    // Carol cannot read what was said after she left: no entry for her, and her key of the meeting opens none of its chunks.
    await expect(openEpoch(afterwards.dir, carol.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.not-a-participant' }));
    const carols = meeting.manifest.members.find((m) => m.publicKey === Buffer.from(carol.publicKey).toString('base64'));
    const oldKey = unwrapKeyWith(carol.privateKey, Buffer.from(carols?.wrappedKey ?? '', 'base64'), epochContext(meeting.manifest.epoch));
    const later = readRecords(join(afterwards.dir, epochFiles.audio));
    expect(later.length).toBeGreaterThan(0);
    for (const sealed of later) expect(() => openSealed(oldKey, sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    // Nothing was refused on the way: every chunk crossed the circuit.
    expect((await ceiling.health()).streams[circuit]).toMatchObject({ busy: 0, forged: 0 });
  });

  it('keeps voice activity per seat under the same key: seat i is the i-th arrival, at channel i', async () => {
    const meeting = epochs[2];
    expect(meeting?.manifest.members.map((m) => [m.seat, m.channel, m.publicKey])).toEqual([alice, bob, carol].map((p, seat) => [seat, seat, Buffer.from(p.publicKey).toString('base64')]));
    const { activity } = await openEpoch(meeting?.dir ?? '', carol.privateKey);
    expect(activity).toEqual([
      { channel: 0, seat: 0, segments: [[0, 100]] },
      { channel: 1, seat: 1, segments: [[100, 200]] },
      { channel: 2, seat: 2, segments: [[100, 200]] },
    ]);
    expect((await table.health()).records).toMatchObject({ epochs: 5, open: 0, expired: 0, interrupted: 0 });
  });

  it('erases a person: their solo epochs gone, shared ones still open for the others, and no file left holds their key', async () => {
    const report = await eraseMember(dataDir(), alice.publicKey);
    // Her seat's activity goes from each of the three shared epochs (the second had little or no audio, but its activity record was kept).
    expect(report).toMatchObject({ epochsRemoved: 2, membershipsRemoved: 3, activityRemoved: 3 });
    for (const { dir } of epochs) {
      if (existsSync(dir)) await expect(openEpoch(dir, alice.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.not-a-participant' }));
    }
    expect(existsSync(epochs[0]?.dir ?? '')).toBe(false);
    expect(existsSync(epochs[4]?.dir ?? '')).toBe(false);
    expect([...(await openEpoch(epochs[2]?.dir ?? '', bob.privateKey)).pcm]).toEqual([...together]);
    expect([...(await openEpoch(epochs[3]?.dir ?? '', bob.privateKey)).pcm]).toEqual([...afterCarolLeft]);
    expect((await openEpoch(epochs[2]?.dir ?? '', carol.privateKey)).activity.map((a) => a.seat)).toEqual([1, 2]);
    expect(filesHolding(join(parent, 'boards', 'room-table'), alice.publicKey)).toEqual([]);
  });

  it('sweeps what has expired: an hour after each epoch ended it is gone, and nothing opens any more', async () => {
    const left = await listEpochs(dataDir());
    expect(left).toHaveLength(3);
    const lastEnd = Math.max(...left.map((e) => Date.parse(e.manifest.endedAt ?? '')));
    const swept = await sweepExpired(dataDir(), new Date(lastEnd + 3_600_000));
    expect(swept.epochs).toEqual(left.map((e) => e.manifest.epoch));
    expect(await listEpochs(dataDir())).toEqual([]);
    for (const { dir } of left) await expect(openEpoch(dir, bob.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.no-epoch' }));
    expect(filesHolding(dataDir(), bob.publicKey)).toEqual([]);
  });
});
