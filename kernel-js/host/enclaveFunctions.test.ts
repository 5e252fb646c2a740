import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealed, rawX25519PublicKey, SimEnclaveBus, unwrapKeyWith, VaultEnclave, type Enclave, type KeyHandle } from '../../drivers/index.js';
import { KernelError } from '../KernelError.js';
import { abiCodes } from './abiCodes.js';
import { enclaveFunctions, type EnclaveHost } from './enclaveFunctions.js';
import type { KernelEpoch, KernelEpochEnd, KernelEpochStart } from './KernelDevices.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, logLevel } = abiCodes;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A key epoch as a keeper would hold it, in memory: what was sealed into it, and how it ended. */
interface Kept {
  readonly start: KernelEpochStart;
  readonly wrapped: Uint8Array[];
  readonly sealed: Uint8Array[];
  readonly audio: Uint8Array[];
  ends: KernelEpochEnd[];
}

/** A keeper that keeps epochs in memory and seals through the enclave, as RecordKeeper does on disk. */
function memoryKeeper(kept: Kept[]): (start: KernelEpochStart) => KernelEpoch {
  return (start) => {
    const epoch: Kept = { start, wrapped: start.members.map((member) => start.enclave.wrapKey(start.key, member, text(`epoch ${kept.length}`))), sealed: [], audio: [], ends: [] };
    kept.push(epoch);
    let recording = false;
    return {
      id: `epoch ${kept.length - 1}`,
      audio: () => {
        if (recording) throw new KernelError('record.busy', 'one microphone at a time');
        recording = true;
        return {
          write: (pcm) => void epoch.audio.push(start.enclave.seal(start.key, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength))),
          release: () => {
            recording = false;
          },
        };
      },
      seal: (data) => void epoch.sealed.push(start.enclave.seal(start.key, data)),
      end: (reason) => void epoch.ends.push(reason),
    };
  };
}

function person(): { publicKey: Uint8Array; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] } {
  const pair = generateKeyPairSync('x25519');
  return { publicKey: rawX25519PublicKey(pair.publicKey), privateKey: pair.privateKey };
}

function board(deviceSecret = new Uint8Array(32).fill(7)) {
  const vault = new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret }) });
  const other = new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret }) });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kept: Kept[] = [];
  const logs: [number, string][] = [];
  // The presence seam: persons 1 to 3 exist, each with an X25519 identity; `here` are present.
  const people = new Map([1, 2, 3].map((handle) => [handle, person()]));
  const here = new Set([1, 2, 3]);
  const asked: number[][] = [];
  const begin = memoryKeeper(kept);
  const host: EnclaveHost = {
    enclave: (handle) => (handle === 4 ? vault : handle === 6 ? other : undefined),
    bytes: wasmMemoryAccess(() => memory).bytes,
    people: (handles) => {
      asked.push([...handles]);
      const found = handles.map((handle) => people.get(handle)?.publicKey);
      return found.every((identity) => identity !== undefined) ? found : undefined;
    },
    present: () => [...here].flatMap((handle) => people.get(handle)?.publicKey ?? []),
    begin: (vaultHandle, enclave: Enclave, key: KeyHandle, members) => begin({ device: `device ${vaultHandle}`, fragment: 'recorder@room', enclave, key, members }),
    log: (level, message) => void logs.push([level, message]),
  };
  const enclave = enclaveFunctions(host);
  const call = (name: string, ...args: number[]): number => (enclave.functions[`enclave.${name}`] ?? (() => NaN))(...args);
  const persons = (ptr: number, ...handles: number[]): void => {
    const view = new DataView(memory.buffer);
    handles.forEach((handle, i) => view.setInt32(ptr + i * 4, handle, true));
  };
  const put = (ptr: number, data: Uint8Array): void => new Uint8Array(memory.buffer).set(data, ptr);
  return { vault, memory, kept, logs, asked, people, here, enclave, call, persons, put };
}

describe('enclaveFunctions', () => {
  it('begins a key epoch for the people named, wrapped for each in seat order, and seals data from wasm memory into it', () => {
    const { kept, asked, people, call, persons, put } = board();
    persons(0, 3, 1);
    const key = call('groupKey', 4, 0, 2);
    expect(key).toBeGreaterThan(0);
    expect(asked).toEqual([[3, 1]]);
    expect(kept).toHaveLength(1);
    const [epoch] = kept;
    expect(epoch?.start).toMatchObject({ device: 'device 4', fragment: 'recorder@room', members: [people.get(3)?.publicKey, people.get(1)?.publicKey] });
    put(100, text('minutes of the meeting'));
    expect(call('seal', 4, key, 100, 22)).toBe(status.Ok);
    expect(epoch?.sealed).toHaveLength(1);
    expect(Buffer.from(epoch?.sealed[0] ?? []).includes(Buffer.from('minutes'))).toBe(false);
    // Each member, with their own private key, opens it outside the enclave.
    for (const [seat, handle] of [3, 1].entries()) {
      const unwrapped = unwrapKeyWith(people.get(handle)?.privateKey ?? expect.unreachable(), epoch?.wrapped[seat] ?? new Uint8Array(), text('epoch 0'));
      expect(new TextDecoder().decode(openSealed(unwrapped, epoch?.sealed[0] ?? new Uint8Array()))).toBe('minutes of the meeting');
    }
  });

  it('gives each group a key and an epoch of its own: what one seals, the other key does not open', () => {
    const { people, kept, call, persons, put } = board();
    persons(0, 1, 2);
    persons(8, 2, 1);
    const first = call('groupKey', 4, 0, 2);
    const second = call('groupKey', 4, 8, 2);
    expect(second).not.toBe(first);
    put(100, text('secret'));
    call('seal', 4, first, 100, 6);
    const [a, b] = kept;
    const secondKey = unwrapKeyWith(people.get(2)?.privateKey ?? expect.unreachable(), b?.wrapped[0] ?? new Uint8Array(), text('epoch 1'));
    expect(() => openSealed(secondKey, a?.sealed[0] ?? new Uint8Array())).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
  });

  it('drops a key: the epoch ends with why (someone left, someone arrived, or neither) and the enclave forgets the key', () => {
    const { vault, kept, here, call, persons, put } = board();
    persons(0, 1, 2);
    const keys = [call('groupKey', 4, 0, 2), call('groupKey', 4, 0, 2), call('groupKey', 4, 0, 2)];
    here.delete(3);
    expect(call('dropKey', 4, keys[0] ?? 0)).toBe(status.Ok);
    here.add(3);
    expect(call('dropKey', 4, keys[1] ?? 0)).toBe(status.Ok);
    here.delete(2);
    expect(call('dropKey', 4, keys[2] ?? 0)).toBe(status.Ok);
    expect(kept.map((epoch) => epoch.ends)).toEqual([['dropped'], ['arrived'], ['left']]);
    put(100, text('after'));
    expect([call('seal', 4, keys[0] ?? 0, 100, 5), call('dropKey', 4, keys[0] ?? 0)]).toEqual([status.NotFound, status.NotFound]);
    expect(() => vault.wrapKey(kept[0]?.start.key ?? 0, new Uint8Array(32).fill(9), text('x'))).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
  });

  it('answers BadHandle, BadArgument and NotFound for what it cannot use', () => {
    const { memory, call, persons, asked } = board();
    persons(0, 1, 9);
    const end = memory.buffer.byteLength;
    expect([call('groupKey', 5, 0, 1), call('dropKey', 5, 1), call('seal', 5, 1, 0, 0)]).toEqual(Array(3).fill(status.BadHandle));
    // Nobody, a person presence does not know, a list leaving memory.
    expect([call('groupKey', 4, 0, 0), call('groupKey', 4, 0, -1), call('groupKey', 4, 0, 2), call('groupKey', 4, end - 4, 2)]).toEqual(Array(4).fill(status.BadArgument));
    expect(asked).toEqual([[1, 9]]);
    const key = call('groupKey', 4, 0, 1);
    expect([call('seal', 4, key, end - 2, 4), call('seal', 4, key, 0, -1)]).toEqual([status.BadArgument, status.BadArgument]);
    expect([call('seal', 4, key + 1, 0, 1), call('dropKey', 4, key + 1)]).toEqual([status.NotFound, status.NotFound]);
    // A key belongs to the enclave it was made in: named with another, it is no key at all.
    expect([call('seal', 6, key, 0, 1), call('dropKey', 6, key)]).toEqual([status.NotFound, status.NotFound]);
    expect(call('seal', 4, key, 0, 1)).toBe(status.Ok);
  });

  it('gives audio sealers that stop at dropKey, one microphone an epoch at a time, and ends what it still holds on close', () => {
    const { enclave, kept, call, persons } = board();
    persons(0, 1);
    const format = { rate: 8000, channels: 1 };
    const kept1 = call('groupKey', 4, 0, 1);
    const dropped = call('groupKey', 4, 0, 1);
    expect([enclave.sealer(5, kept1, format), enclave.sealer(4, 99, format)]).toEqual([status.BadHandle, status.NotFound]);
    const seal = enclave.sealer(4, dropped, format);
    if (typeof seal === 'number') return expect.unreachable(`no sealer: ${seal}`);
    expect(seal.write(Int16Array.of(1, 2))).toBe(status.Ok);
    call('dropKey', 4, dropped);
    expect(seal.write(Int16Array.of(1, 2))).toBe(status.NotFound);
    const keep = enclave.sealer(4, kept1, format);
    if (typeof keep === 'number') return expect.unreachable(`no sealer: ${keep}`);
    expect(enclave.sealer(4, kept1, format)).toBe(status.Busy);
    keep.release();
    const again = enclave.sealer(4, kept1, format);
    expect(typeof again).toBe('object');
    expect(kept.map((epoch) => [epoch.audio.length, epoch.ends])).toEqual([[0, []], [1, ['arrived']]]); // persons 2 and 3 are here too
    enclave.close();
    expect(kept[0]?.ends).toEqual(['stopped']);
    expect(call('seal', 4, kept1, 0, 1)).toBe(status.NotFound);
  });

  it('gives no key when the board keeps nothing, answers Unavailable once the driver is closed, and logs a keeper that fails', () => {
    const { vault, call, persons, logs } = board();
    persons(0, 1);
    const key = call('groupKey', 4, 0, 1);
    vault.close();
    expect([call('seal', 4, key, 0, 1), call('groupKey', 4, 0, 1)]).toEqual([status.Unavailable, status.Unavailable]);

    const bare = new VaultEnclave({ bus: new SimEnclaveBus() });
    const someone = person().publicKey;
    const host = (begin: EnclaveHost['begin']): ReturnType<typeof enclaveFunctions> =>
      enclaveFunctions({ enclave: () => bare, bytes: () => new Uint8Array(4), people: () => [someone], present: () => [someone], begin, log: (level, message) => void logs.push([level, message]) });
    const nowhere = host(() => undefined);
    expect((nowhere.functions['enclave.groupKey'] ?? (() => NaN))(1, 0, 1)).toBe(status.Unavailable);
    expect(logs.at(-1)).toEqual([logLevel.Warn, expect.stringContaining('keeps no recordings')]);

    const failing = host((_, enclave, enclaveKey, members) => ({
      ...memoryKeeper([])({ device: 'd', fragment: 'f', enclave, key: enclaveKey, members }),
      seal: () => {
        throw new Error('disk full');
      },
    }));
    const groupKey = failing.functions['enclave.groupKey'] ?? (() => NaN);
    const seal = failing.functions['enclave.seal'] ?? (() => NaN);
    expect(seal(1, groupKey(1, 0, 1), 0, 4)).toBe(status.Failed);
    expect(logs.at(-1)).toEqual([logLevel.Error, expect.stringContaining('disk full')]);
  });
});
