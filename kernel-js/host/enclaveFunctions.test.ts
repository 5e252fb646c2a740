import { describe, expect, it } from 'vitest';
import { SimEnclaveBus, VaultEnclave, type KeyHandle } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { enclaveFunctions } from './enclaveFunctions.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status, logLevel } = abiCodes;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function board(deviceSecret = new Uint8Array(32).fill(7)) {
  const vault = new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret }) });
  const other = new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret }) });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const stored: { vault: number; key: KeyHandle; sealed: Uint8Array }[] = [];
  const logs: [number, string][] = [];
  // The presence seam: persons 1 to 3 are present, each with an identity.
  const identities = new Map([1, 2, 3].map((person) => [person, text(`public key of person ${person}`)]));
  const asked: number[][] = [];
  const enclave = enclaveFunctions({
    enclave: (handle) => (handle === 4 ? vault : handle === 6 ? other : undefined),
    bytes: wasmMemoryAccess(() => memory).bytes,
    people: (handles) => {
      asked.push([...handles]);
      const found = handles.map((person) => identities.get(person));
      return found.every((identity) => identity !== undefined) ? found : undefined;
    },
    store: (vaultHandle, key, sealed) => void stored.push({ vault: vaultHandle, key, sealed }),
    log: (level, message) => void logs.push([level, message]),
  });
  const call = (name: string, ...args: number[]): number => (enclave.functions[`enclave.${name}`] ?? (() => NaN))(...args);
  const persons = (ptr: number, ...handles: number[]): void => {
    const view = new DataView(memory.buffer);
    handles.forEach((person, i) => view.setInt32(ptr + i * 4, person, true));
  };
  const put = (ptr: number, data: Uint8Array): void => new Uint8Array(memory.buffer).set(data, ptr);
  return { vault, memory, stored, logs, asked, enclave, call, persons, put };
}

describe('enclaveFunctions', () => {
  it('derives a key for the people the module names, seals data from wasm memory under it, and the enclave opens it', () => {
    const { vault, stored, asked, call, persons, put } = board();
    persons(0, 3, 1);
    const key = call('groupKey', 4, 0, 2);
    expect(key).toBeGreaterThan(0);
    expect(asked).toEqual([[3, 1]]);
    put(100, text('minutes of the meeting'));
    expect(call('seal', 4, key, 100, 22)).toBe(status.Ok);
    expect(stored).toHaveLength(1);
    const [record] = stored;
    expect(record?.vault).toBe(4);
    expect(Buffer.from(record?.sealed ?? []).includes(Buffer.from('minutes'))).toBe(false);
    expect(new TextDecoder().decode(vault.open(record?.key ?? 0, record?.sealed ?? new Uint8Array()))).toBe('minutes of the meeting');
  });

  it('gives each group a key of its own: what one seals, another group key does not open', () => {
    const { vault, stored, call, persons, put } = board();
    persons(0, 1, 2);
    persons(8, 2, 1);
    const first = call('groupKey', 4, 0, 2);
    const second = call('groupKey', 4, 8, 2);
    expect(second).not.toBe(first);
    put(100, text('secret'));
    call('seal', 4, first, 100, 6);
    call('seal', 4, second, 100, 6);
    const [a, b] = stored;
    expect(a?.key).not.toBe(b?.key);
    expect(() => vault.open(b?.key ?? 0, a?.sealed ?? new Uint8Array())).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
  });

  it('drops a key: sealing under it is NotFound and the enclave no longer holds it', () => {
    const { vault, stored, call, persons, put } = board();
    persons(0, 2);
    const key = call('groupKey', 4, 0, 1);
    put(100, text('before'));
    call('seal', 4, key, 100, 6);
    expect(call('dropKey', 4, key)).toBe(status.Ok);
    expect([call('seal', 4, key, 100, 6), call('dropKey', 4, key)]).toEqual([status.NotFound, status.NotFound]);
    expect(() => vault.open(stored[0]?.key ?? 0, stored[0]?.sealed ?? new Uint8Array())).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
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

  it('gives sealers that stop at dropKey, and destroys the keys it still holds on close', () => {
    const { vault, enclave, stored, call, persons } = board();
    persons(0, 1);
    const kept = call('groupKey', 4, 0, 1);
    const dropped = call('groupKey', 4, 0, 1);
    expect([enclave.sealer(5, kept), enclave.sealer(4, 99)]).toEqual([status.BadHandle, status.NotFound]);
    const seal = enclave.sealer(4, dropped);
    if (typeof seal === 'number') return expect.unreachable(`no sealer: ${seal}`);
    expect(seal(text('chunk'))).toBe(status.Ok);
    call('dropKey', 4, dropped);
    expect(seal(text('chunk'))).toBe(status.NotFound);
    const keep = enclave.sealer(4, kept);
    if (typeof keep === 'number') return expect.unreachable(`no sealer: ${keep}`);
    expect(keep(text('kept'))).toBe(status.Ok);
    const last = stored.at(-1);
    expect(new TextDecoder().decode(vault.open(last?.key ?? 0, last?.sealed ?? new Uint8Array()))).toBe('kept');
    enclave.close();
    expect(() => vault.open(last?.key ?? 0, last?.sealed ?? new Uint8Array())).toThrow(expect.objectContaining({ code: 'enclave.no-key' }));
    expect(call('seal', 4, kept, 0, 1)).toBe(status.NotFound);
  });

  it('answers Unavailable once the enclave driver is closed, and logs a keeper that fails', () => {
    const { vault, call, persons, logs } = board();
    persons(0, 1);
    const key = call('groupKey', 4, 0, 1);
    vault.close();
    expect([call('seal', 4, key, 0, 1), call('groupKey', 4, 0, 1)]).toEqual([status.Unavailable, status.Unavailable]);

    const failing = enclaveFunctions({
      enclave: () => new VaultEnclave({ bus: new SimEnclaveBus() }),
      bytes: () => new Uint8Array(4),
      people: () => [text('someone')],
      store: () => {
        throw new Error('disk full');
      },
      log: (level, message) => void logs.push([level, message]),
    });
    const groupKey = failing.functions['enclave.groupKey'] ?? (() => NaN);
    const seal = failing.functions['enclave.seal'] ?? (() => NaN);
    expect(seal(1, groupKey(1, 0, 1), 0, 4)).toBe(status.Failed);
    expect(logs).toEqual([[logLevel.Error, expect.stringContaining('disk full')]]);
  });
});
