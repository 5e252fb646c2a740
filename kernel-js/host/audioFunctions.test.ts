import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav, Microphone, rawX25519PublicKey, SimEnclaveBus, SimMicrophone, SimSpeaker, Speaker, VaultEnclave } from '../../drivers/index.js';
import { listEpochs } from '../record/listEpochs.js';
import { openEpoch } from '../record/openEpoch.js';
import { RecordKeeper } from '../record/RecordKeeper.js';
import { abiCodes } from './abiCodes.js';
import { audioFunctions, type AudioHost } from './audioFunctions.js';
import { enclaveFunctions } from './enclaveFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, event, logLevel } = abiCodes;

/** A ramp of distinct samples, negative ones included, so byte order and offsets show. */
const ramp = (length: number, from = -1000): Int16Array => Int16Array.from({ length }, (_, i) => from + i * 7);
const le = (pcm: Int16Array): number[] => [...pcm].flatMap((sample) => [sample & 0xff, (sample >> 8) & 0xff]);

const dataDirs = mkdtempSync(join(tmpdir(), 'osmose-audio-'));
afterAll(() => rmSync(dataDirs, { recursive: true, force: true }));
let boards = 0;

function board(options: Partial<Pick<AudioHost, 'bufferMs' | 'clips'>> & { channels?: number } = {}) {
  const micBus = new SimMicrophone();
  const speakerBus = new SimSpeaker();
  const mic = new Microphone({ bus: micBus, rate: 8000, channels: options.channels ?? 1 });
  const speaker = new Speaker({ bus: speakerBus, rate: 8000, channels: 1 });
  const vault = new VaultEnclave({ bus: new SimEnclaveBus() });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const access = wasmMemoryAccess(() => memory);
  const raised: [number, number, number][] = [];
  const logs: [number, string][] = [];
  const played: [number, string, number][] = [];
  const log = (level: number, message: string): void => void logs.push([level, message]);
  // Every person handle is someone with an X25519 key pair; recordings go to a real keeper.
  const people = new Map<number, { publicKey: Uint8Array; privateKey: KeyObject }>();
  const personOf = (handle: number): { publicKey: Uint8Array; privateKey: KeyObject } => {
    let found = people.get(handle);
    if (found === undefined) {
      const pair = generateKeyPairSync('x25519');
      found = { publicKey: rawX25519PublicKey(pair.publicKey), privateKey: pair.privateKey };
      people.set(handle, found);
    }
    return found;
  };
  const dataDir = join(dataDirs, String(boards++));
  const keeper = new RecordKeeper({ dataDir, board: 'room-table', fragments: [] });
  const enclave = enclaveFunctions({
    enclave: (handle) => (handle === 3 ? vault : undefined),
    bytes: access.bytes,
    people: (handles) => handles.map((handle) => personOf(handle).publicKey),
    present: () => [...people.values()].map((person) => person.publicKey),
    begin: (_, found, key, members) => keeper.begin({ device: 'vault', fragment: 'recorder@room', enclave: found, key, members }),
    log,
  });
  const audio = audioFunctions({
    microphone: (handle) => (handle === 1 ? mic : undefined),
    speaker: (handle) => (handle === 2 ? speaker : undefined),
    ...access,
    raise: (kind, source, value) => void raised.push([kind, source, value]),
    log,
    sealer: enclave.sealer,
    played: (handle, clip, person) => void played.push([handle, clip, person]),
    ...(options.bufferMs === undefined ? {} : { bufferMs: options.bufferMs }),
    ...(options.clips === undefined ? {} : { clips: options.clips }),
  });
  const call = (name: string, ...args: number[]): number => (audio.functions[`audio.${name}`] ?? enclave.functions[`enclave.${name}`] ?? (() => NaN))(...args);
  const bytesAt = (ptr: number, len: number): number[] => [...new Uint8Array(memory.buffer, ptr, len)];
  return { micBus, speakerBus, mic, vault, memory, raised, logs, played, dataDir, personOf, audio, call, bytesAt };
}

describe('audioFunctions', () => {
  it('captures a WAV injected into a sim microphone and reads it into wasm memory as 16-bit little-endian PCM', () => {
    const { micBus, raised, call, bytesAt } = board();
    const samples = ramp(800);
    expect(micBus.injectWav(encodeWav({ rate: 8000, channels: 1, samples }), 320)).toBe(false); // nobody captures yet
    expect(call('start', 1)).toBe(status.Ok);
    expect(micBus.capturing).toBe(true);
    expect(micBus.injectWav(encodeWav({ rate: 8000, channels: 1, samples }), 320)).toBe(true);
    expect(raised).toEqual([
      [event.Audio, 1, 640],
      [event.Audio, 1, 1280],
      [event.Audio, 1, 1600],
    ]);
    expect(call('read', 1, 1000, 1001)).toBe(1000); // whole samples only
    expect(call('read', 1, 2000, 4096)).toBe(600);
    expect([...bytesAt(1000, 1000), ...bytesAt(2000, 600)]).toEqual(le(samples));
    expect(call('read', 1, 0, 64)).toBe(0);
  });

  it('keeps at most bufferMs of audio, dropping the oldest frames with one warning until the module reads', () => {
    const { micBus, call, logs, bytesAt } = board({ bufferMs: 100, channels: 2 }); // 800 stereo frames: 3200 bytes
    call('start', 1);
    for (let chunk = 0; chunk < 5; chunk++) micBus.inject(ramp(2 * 320, chunk * 1000));
    expect(logs).toEqual([[logLevel.Warn, expect.stringContaining('100 ms of captured audio wait unread')]]);
    expect(call('read', 1, 0, 65_536)).toBe(3200);
    // The newest 800 frames: the last 160 of chunk 2, then chunks 3 and 4.
    expect(bytesAt(0, 3200)).toEqual(le(Int16Array.from([...ramp(640, 2000).slice(-320), ...ramp(640, 3000), ...ramp(640, 4000)])));
    // Stereo reads are whole frames (4 bytes).
    micBus.inject(ramp(4));
    expect(call('read', 1, 0, 7)).toBe(4);
  });

  it('stops capturing on audio.stop and on close, dropping what was not read', () => {
    const { micBus, audio, raised, call } = board();
    call('start', 1);
    expect(call('start', 1)).toBe(status.Ok);
    micBus.inject(ramp(10));
    expect(call('stop', 1)).toBe(status.Ok);
    expect(micBus.capturing).toBe(false);
    expect(call('read', 1, 0, 64)).toBe(0);
    expect(call('stop', 1)).toBe(status.Ok);
    call('start', 1);
    audio.close();
    expect(micBus.capturing).toBe(false);
    expect(micBus.inject(ramp(10))).toBe(false);
    expect(raised).toHaveLength(1);
  });

  it('records straight into the enclave: sealed chunks open to the PCM, which never reaches wasm memory or an Audio event', async () => {
    const { micBus, memory, raised, dataDir, personOf, call } = board();
    new Int32Array(memory.buffer, 16, 2).set([7, 9]);
    const key = call('groupKey', 3, 16, 2);
    expect(key).toBeGreaterThan(0);
    expect(call('record', 1, 3, key)).toBe(status.Ok);
    expect(call('start', 1)).toBe(status.Busy);
    const chunks = [ramp(160, 5000), ramp(160, 6000)];
    for (const chunk of chunks) micBus.inject(chunk);
    expect(raised).toEqual([]);
    expect(call('read', 1, 0, 4096)).toBe(0);
    const [epoch] = await listEpochs(dataDir);
    if (epoch === undefined) return expect.unreachable('no epoch was begun');
    // A member (person 9) reads every sample back, outside the enclave, with their own key.
    expect([...(await openEpoch(epoch.dir, personOf(9).privateKey)).pcm]).toEqual(chunks.flatMap((chunk) => [...chunk]));
    const pcm = Buffer.from(le(chunks[0] ?? new Int16Array()));
    expect(Buffer.from(memory.buffer).includes(pcm.subarray(0, 32))).toBe(false);

    // Dropping the key under a running recording stops it at the next chunk, with a warning.
    expect(call('dropKey', 3, key)).toBe(status.Ok);
    micBus.inject(ramp(160));
    expect(micBus.capturing).toBe(false);
    expect((await openEpoch(epoch.dir, personOf(7).privateKey)).manifest).toMatchObject({ chunks: 2, bytes: 640, endReason: 'dropped' });
  });

  it('refuses to record into what is not an enclave, under a key it does not hold, or while capturing', () => {
    const { memory, call, micBus } = board();
    new Int32Array(memory.buffer, 0, 1).set([1]);
    const key = call('groupKey', 3, 0, 1);
    expect([call('record', 2, 3, key), call('record', 1, 2, key), call('record', 1, 3, key + 1)]).toEqual([status.BadHandle, status.BadHandle, status.NotFound]);
    call('start', 1);
    expect(call('record', 1, 3, key)).toBe(status.Busy);
    call('stop', 1);
    expect(call('record', 1, 3, key)).toBe(status.Ok);
    expect(micBus.capturing).toBe(true);
  });

  it('plays PCM written from wasm memory on a sim speaker, at most bufferMs a call', () => {
    const { speakerBus, memory, call } = board({ bufferMs: 10 }); // 80 frames at 8 kHz
    const samples = ramp(100);
    new Uint8Array(memory.buffer).set(le(samples), 64);
    expect(call('write', 2, 64, 200)).toBe(160);
    expect(call('write', 2, 64 + 160, 40)).toBe(40);
    expect([...speakerBus.played()]).toEqual([...samples]);
    expect([call('write', 2, 64, 3), call('write', 2, memory.buffer.byteLength - 2, 4), call('write', 1, 64, 2)]).toEqual([status.BadArgument, status.BadArgument, status.BadHandle]);
  });

  it('plays a clip the app ships and says so, once it played (what the simulator journals)', () => {
    const chime = encodeWav({ rate: 8000, channels: 1, samples: ramp(160) });
    const { memory, call, played, speakerBus } = board({ clips: (name) => (name === 'chime' ? chime : undefined) });
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('chime'), 0);
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('gong'), 16);
    expect(call('play', 2, 0, 5, -1)).toBe(status.Ok);
    expect([...speakerBus.played()]).toEqual([...ramp(160)]);
    expect(call('play', 2, 16, 4, -1)).toBe(status.NotFound);
    expect(played).toEqual([[2, 'chime', -1]]);
  });

  it('answers NotFound for a clip the app does not ship, with a log line saying where clips go', () => {
    const { memory, call, logs, played, speakerBus } = board();
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('chime'), 0);
    new Uint8Array(memory.buffer).set([0xc3, 0x28], 16);
    expect(call('play', 2, 0, 5, -1)).toBe(status.NotFound);
    expect(logs).toEqual([[logLevel.Warn, expect.stringMatching(/ships no clip "chime".*clips\/chime\.wav/)]]);
    expect(speakerBus.played()).toHaveLength(0);
    expect(played).toEqual([]);
    expect([call('play', 2, 16, 2, -1), call('play', 2, 0, 5, -2), call('play', 1, 0, 5, -1)]).toEqual([status.BadArgument, status.BadArgument, status.BadHandle]);
  });

  it('answers Unavailable once the microphone driver is closed', () => {
    const { mic, call } = board();
    mic.close();
    expect(call('start', 1)).toBe(status.Unavailable);
  });
});
