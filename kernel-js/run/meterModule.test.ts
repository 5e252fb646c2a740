import { describe, expect, it } from 'vitest';
import { compiledShippedWasm } from '../../test/fixtures/compiledShippedWasm.js';
import { section } from '../../test/fixtures/wasmModule.js';
import { uleb } from '../../userland/abi/versionSection.js';
import { readWasmInterface } from '../../userland/abi/index.js';
import { fuelExport, growExport, meterModule } from './meterModule.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { shippedAppsDir } from '../../userland/shippedApps.js';

// A module with one exported function `run` (no params, i32 result) whose body is given, a
// memory of one page (maximum given or none).
function module(run: readonly number[], options: { maximum?: number } = {}): Uint8Array {
  const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
  const body = (code: readonly number[]): number[] => {
    const bytes = [0x00, ...code, 0x0b];
    return [...uleb(bytes.length), ...bytes];
  };
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(5, options.maximum === undefined ? [1, 0x00, 1] : [1, 0x01, 1, options.maximum]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('run'), 0x00, 0]),
    ...section(10, [1, ...body(run)]),
  ]);
}

interface Metered {
  readonly run: () => number;
  readonly fuel: WebAssembly.Global;
  readonly grow: WebAssembly.Global;
  readonly memory: WebAssembly.Memory;
}

function instantiate(bytes: Uint8Array): Metered {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as Record<string, unknown>;
  return { run: exports['run'] as () => number, fuel: exports[fuelExport] as WebAssembly.Global, grow: exports[growExport] as WebAssembly.Global, memory: exports['memory'] as WebAssembly.Memory };
}

describe('meterModule', () => {
  it('stops an endless loop when its fuel runs out, and a loop that ends runs to the end', () => {
    const endless = instantiate(meterModule(module([0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x07]), { memoryPages: 4 }));
    endless.fuel.value = 10_000;
    expect(() => endless.run()).toThrow(WebAssembly.RuntimeError);
    expect(endless.fuel.value).toBe(0);

    // Counts a local down from 50: one check on entry and one per iteration.
    const counting = [0x01, 0x7f, 0x41, 50, 0x21, 0, 0x03, 0x40, 0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x41, 0x07];
    const finite = instantiate(meterModule(moduleWithLocals(counting), { memoryPages: 4 }));
    finite.fuel.value = 1_000;
    expect(finite.run()).toBe(7);
    expect(finite.fuel.value).toBe(1_000 - 1 - 50);
  });

  it('stops recursion without loops by metering every call', () => {
    const fib = instantiate(meterModule(moduleCallingHelper(), { memoryPages: 4 }));
    fib.fuel.value = 50_000;
    expect(() => fib.run()).toThrow(WebAssembly.RuntimeError);
    expect(fib.fuel.value).toBe(0);
  });

  it("caps memory at the board's limit and records a refused growth", () => {
    const grows = instantiate(meterModule(module([0x41, 10, 0x40, 0x00]), { memoryPages: 4 }));
    grows.fuel.value = 100;
    expect(grows.run()).toBe(-1);
    expect(grows.grow.value).toBe(-1);
    expect(grows.memory.buffer.byteLength).toBe(65_536);
    const fits = instantiate(meterModule(module([0x41, 2, 0x40, 0x00]), { memoryPages: 4 }));
    fits.fuel.value = 100;
    expect(fits.run()).toBe(1);
    expect(fits.grow.value).toBe(1);
    // A declared maximum below the board's limit is kept.
    const own = instantiate(meterModule(module([0x41, 3, 0x40, 0x00], { maximum: 2 }), { memoryPages: 4 }));
    own.fuel.value = 100;
    expect(own.run()).toBe(-1);
  });

  it('keeps every shipped AssemblyScript app valid, with the same imports and its exports plus the two counters', async () => {
    // The apps in plain TypeScript (src/index.ts) run in the script engine, which is not metered: its interrupt handler keeps the budget.
    const apps = readdirSync(shippedAppsDir()).filter((app) => existsSync(join(shippedAppsDir(), app, 'assembly', 'index.ts')));
    expect(apps).toEqual(['heating', 'lights', 'presence', 'recorder']);
    for (const app of apps) {
      const original = await compiledShippedWasm(app);
      const metered = meterModule(original, { memoryPages: 256 });
      expect(WebAssembly.validate(metered), app).toBe(true);
      const before = readWasmInterface(original);
      const after = readWasmInterface(metered);
      expect(after.imports).toEqual(before.imports);
      expect(after.exports.map((e) => e.name)).toEqual([...before.exports.map((e) => e.name), fuelExport, growExport]);
      expect(after.memory).toMatchObject({ initial: before.memory?.initial, maximum: 256 });
    }
  });

  it('refuses an instruction it cannot decode, and a truncated module, as kernel.malformed', () => {
    expect(() => meterModule(module([0x06, 0x40, 0x0b, 0x41, 0]), { memoryPages: 4 })).toThrow(expect.objectContaining({ code: 'kernel.malformed' }) as Error);
    const whole = module([0x41, 0]);
    expect(() => meterModule(whole.subarray(0, whole.length - 3), { memoryPages: 4 })).toThrow(expect.objectContaining({ code: 'kernel.malformed' }) as Error);
    expect(() => meterModule(Uint8Array.of(1, 2, 3), { memoryPages: 4 })).toThrow(expect.objectContaining({ code: 'kernel.malformed' }) as Error);
  });
});

/** `run` with one i32 local and the given body (after the locals). */
function moduleWithLocals(code: readonly number[]): Uint8Array {
  const [, , ...rest] = code;
  const bytes = [0x01, 0x01, 0x7f, ...rest, 0x0b];
  const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('run'), 0x00, 0]),
    ...section(10, [1, ...uleb(bytes.length), ...bytes]),
  ]);
}

/** `run` calls `spread(30)`; spread(n) calls spread(n-1) twice while n > 0: 2^30 calls, 30 deep. */
function moduleCallingHelper(): Uint8Array {
  const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
  const body = (code: readonly number[]): number[] => {
    const bytes = [0x00, ...code, 0x0b];
    return [...uleb(bytes.length), ...bytes];
  };
  const run = [0x41, 30, 0x10, 1, 0x41, 0];
  // if n > 0: spread(n-1); spread(n-1)
  const spread = [0x20, 0, 0x41, 0, 0x4a, 0x04, 0x40, 0x20, 0, 0x41, 1, 0x6b, 0x10, 1, 0x20, 0, 0x41, 1, 0x6b, 0x10, 1, 0x0b];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 0]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('run'), 0x00, 0]),
    ...section(10, [2, ...body(run), ...body(spread)]),
  ]);
}
