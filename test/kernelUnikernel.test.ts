import { describe, expect, it } from 'vitest';
import type { KernelBoardConfig } from '../kernel-js/boot/KernelImage.js';
import { memoryDevices } from '../kernel-js/host/KernelDevices.js';
import { KernelError } from '../kernel-js/KernelError.js';
import { Unikernel } from '../kernel-js/run/Unikernel.js';
import { uleb } from '../userland/abi/versionSection.js';
import { section } from './fixtures/wasmModule.js';

// A hand-written unikernel: start sets a one-shot timer (clock.setTimer(5, 0)); handle turns
// the lamp (handle 2) on for a Timer event and off for any other. The timer is fired by the
// test, so nothing here depends on the clock.
const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
const body = (code: readonly number[]): number[] => [...uleb(code.length + 2), 0x00, ...code, 0x0b];
const timerApp = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: () -> (), (i32 i32 i32) -> i32, (i32 i32) -> i32, () -> i32
  ...section(1, [4, 0x60, 0, 0, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 1, 0x7f]),
  ...section(2, [2, ...name('clock'), ...name('setTimer'), 0x00, 2, ...name('gpio'), ...name('write'), 0x00, 2]),
  ...section(3, [3, 0, 3, 1]),
  ...section(5, [1, 0x00, 1]),
  ...section(7, [4, ...name('memory'), 0x02, 0, ...name('_initialize'), 0x00, 2, ...name('start'), 0x00, 3, ...name('handle'), 0x00, 4]),
  ...section(10, [3,
    ...body([]),
    ...body([0x41, 5, 0x41, 0, 0x10, 0, 0x1a, 0x41, 0]),
    ...body([0x41, 2, 0x20, 0, 0x41, 3, 0x46, 0x10, 1, 0x1a, 0x41, 0]),
  ]),
]);

const config: KernelBoardConfig = {
  format: 1,
  abi: 1,
  board: { id: 'room', type: 'sim', space: ['b'] },
  devices: { button: { driver: 'gpio-in', settings: {} }, lamp: { driver: 'gpio-out', settings: {} } },
  fragments: [{
    instance: 'timer@room',
    app: 'timer',
    bindings: { button: { board: 'room', device: 'button', driver: 'gpio-in', local: true }, lamp: { board: 'room', device: 'lamp', driver: 'gpio-out', local: true } },
    capabilities: ['gpio'],
  }],
  circuits: [],
};

function kernel(schedule: (delay: number, period: number, fire: () => void) => () => void, memoryPages = 4) {
  const writes: [string, number][] = [];
  const uk = new Unikernel({
    config,
    modules: new Map([['timer', timerApp]]),
    devices: memoryDevices(config.devices, (device, level) => writes.push([device, level])),
    limits: { memoryPages, eventBudgetMs: 50 },
    log: () => undefined,
    trap: () => undefined,
    fatal: (error) => {
      throw error;
    },
    schedule,
  });
  return { uk, writes };
}

describe("kernel-js's event loop", () => {
  it('delivers a timer set in start as a Timer event, then GPIO edges, one at a time', () => {
    const timers: { delay: number; period: number; fire: () => void }[] = [];
    const { uk, writes } = kernel((delay, period, fire) => {
      timers.push({ delay, period, fire });
      return () => undefined;
    });
    uk.boot();
    expect(timers.map(({ delay, period }) => [delay, period])).toEqual([[5, 0]]);
    expect(writes).toEqual([]);
    timers[0]?.fire();
    expect(writes).toEqual([['lamp', 1]]);
    uk.input('button', 1);
    uk.input('lamp', 1); // an output raises no edges
    uk.input('nothing', 1);
    expect(writes).toEqual([['lamp', 1], ['lamp', 0]]);
    expect(uk.handled).toBe(2);
  });

  it('cancels its timers when closed', () => {
    let cancelled = 0;
    const { uk } = kernel(() => () => cancelled++);
    uk.boot();
    uk.close();
    expect(cancelled).toBe(1);
  });

  it("refuses to boot when the image has no module for a fragment's app", () => {
    const uk = new Unikernel({ config, modules: new Map(), devices: memoryDevices({}), limits: { memoryPages: 4, eventBudgetMs: 50 }, log: () => undefined, trap: () => undefined, fatal: () => undefined });
    expect(() => uk.boot()).toThrow(KernelError);
  });
});
