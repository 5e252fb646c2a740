import { describe, expect, it } from 'vitest';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

describe('wasmMemoryAccess', () => {
  it('copies in and out of memory, refuses ranges that leave it, and follows memory.grow', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const access = wasmMemoryAccess(() => memory);
    const end = 65_536;
    expect(access.write(end - 2, Uint8Array.of(7, 8))).toBe(true);
    expect([...(access.bytes(end - 2, 2) ?? [])]).toEqual([7, 8]);
    expect([access.write(end - 1, Uint8Array.of(1, 2)), access.write(-1, Uint8Array.of(1))]).toEqual([false, false]);
    expect([access.bytes(end - 1, 2), access.bytes(0, -1), access.bytes(0.5, 1)]).toEqual([undefined, undefined, undefined]);
    memory.grow(1);
    expect(access.write(end - 1, Uint8Array.of(1, 2))).toBe(true);
    expect([...(access.bytes(end - 2, 4) ?? [])]).toEqual([7, 1, 2, 0]);
    expect(wasmMemoryAccess(() => undefined).bytes(0, 0)).toBeUndefined();
  });
});
