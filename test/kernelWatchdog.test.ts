import { readScriptEngine } from '../builder/compile/readScriptEngine.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeScriptContainer } from '../userland/abi/scriptContainer.js';
import { KernelError } from '../kernel-js/KernelError.js';
import { ScriptEngine } from '../kernel-js/run/ScriptEngine.js';
import { uleb } from '../userland/abi/versionSection.js';
import type { KernelBoardConfig } from '../kernel-js/boot/KernelImage.js';
import { simBoardBuses } from '../drivers/index.js';
import { openBoardDevices } from '../kernel-js/host/openBoardDevices.js';
import { Watchdog, type WatchdogOptions, type WatchdogStop } from '../kernel-js/run/Watchdog.js';
import { compiledShippedWasm } from './fixtures/compiledShippedWasm.js';
import { section } from './fixtures/wasmModule.js';

// Misbehaving unikernels, written byte by byte: each has a memory, an _initialize and a
// handle whose body is given. The watchdog must stop each one, say why, and restart it.
const body = (code: readonly number[]): number[] => {
  const bytes = [0x00, ...code, 0x0b];
  return [...uleb(bytes.length), ...bytes];
};
function unikernel(handle: readonly number[], initialize: readonly number[] = []): Uint8Array {
  const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 0, 0, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [3, ...name('memory'), 0x02, 0, ...name('_initialize'), 0x00, 0, ...name('handle'), 0x00, 1]),
    ...section(10, [2, ...body(initialize), ...body(handle)]),
  ]);
}
const loops = unikernel([0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00]);
const traps = unikernel([0x00]);
const grows = unikernel([0x41, 0x01, 0x40, 0x00, 0x1a, 0x41, 0x00]);
const trapsInInit = unikernel([0x41, 0x00], [0x00]);
const loopsInInit = unikernel([0x41, 0x00], [0x03, 0x40, 0x0c, 0x00, 0x0b]);

const config: KernelBoardConfig = {
  format: 1,
  abi: 1,
  board: { id: 'door', type: 'sim', space: ['b'] },
  devices: { button: { driver: 'gpio-in', settings: {} }, lamp: { driver: 'gpio-out', settings: {} } },
  fragments: [{
    instance: 'app@door',
    app: 'app',
    bindings: { button: { board: 'door', device: 'button', driver: 'gpio-in', local: true }, lamp: { board: 'door', device: 'lamp', driver: 'gpio-out', local: true } },
    capabilities: ['gpio', 'presence'],
  }],
  circuits: [],
};

const running: Watchdog[] = [];
afterEach(async () => {
  for (const dog of running.splice(0)) await dog.close();
});

/** A watchdog and promises for its next stop and its next ready. */
function watch(wasm: Uint8Array, options: Partial<WatchdogOptions> = {}) {
  const stops: WatchdogStop[] = [];
  const waiting: { readonly until: () => boolean; readonly resolve: () => void }[] = [];
  let ready = 0;
  const outputs: [string, number][] = [];
  const wake = (): void => {
    for (const w of waiting.filter((candidate) => candidate.until())) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const dog = new Watchdog({
    config,
    modules: new Map([['app', wasm]]),
    limits: { memoryPages: 4, eventBudgetMs: 20 },
    backoff: { baseMs: 5, maxMs: 60_000 },
    ...options,
    onStop: (stop) => {
      stops.push(stop);
      wake();
    },
    onReady: () => {
      ready++;
      wake();
    },
    onTrap: wake,
    onOutput: (device, level) => {
      outputs.push([device, level]);
      wake();
    },
  });
  running.push(dog);
  const until = (condition: () => boolean): Promise<void> => (condition() ? Promise.resolve() : new Promise((resolve) => waiting.push({ until: condition, resolve })));
  dog.start();
  return { dog, stops, outputs, until, readies: () => ready };
}

const generous = 20_000;

describe("kernel-js's watchdog, for an app in plain TypeScript (run in the board's script engine)", () => {
  let engine: ScriptEngine;
  beforeAll(async () => {
    engine = await ScriptEngine.load(await readScriptEngine());
  });
  const script = (source: string, imports: readonly string[] = []): Uint8Array => encodeScriptContainer({ imports, source });

  it('runs it: a press turns the lamp on, through the same host functions', async () => {
    const app = script("const lamp = osmoseHost['config.device']('lamp'); let on = 0; globalThis.osmoseApp = { handle(kind) { if (kind !== 1) return 1; on = 1 - on; return osmoseHost['gpio.write'](lamp, on); } };", ['config.device', 'gpio.write']);
    const { dog, outputs, until, stops } = watch(app, { engine });
    await until(() => dog.health().running);
    dog.input('button', 1);
    await until(() => outputs.length === 1);
    expect(outputs).toEqual([['lamp', 1]]);
    expect(stops).toEqual([]);
  }, generous);

  it('stops a handler that never returns, records why, and restarts the unikernel', async () => {
    const { dog, stops, until, readies } = watch(script('globalThis.osmoseApp = { handle() { for (;;) {} } };'), { engine });
    await until(() => readies() === 1);
    dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('watchdog.event-budget');
    expect(stops[0]?.restartInMs).not.toBeNull();
    await until(() => readies() === 2);
    expect(dog.health()).toMatchObject({ running: true, runs: 2 });
  }, generous);

  it("stops one whose heap grows past the board's memory", async () => {
    const { dog, stops, until, readies } = watch(script('const all = []; globalThis.osmoseApp = { handle() { for (let i = 0; i < 100000; i++) all.push({ i, list: [i, i] }); return 0; } };'), { engine });
    await until(() => readies() === 1);
    dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error).toMatchObject({ code: 'watchdog.memory', data: { limit: 4 } });
  }, generous);

  it('counts uncaught exceptions as traps, and stops a storm of them', async () => {
    const { dog, stops, until, readies } = watch(script("globalThis.osmoseApp = { handle() { throw new Error('broken'); } };"), { engine, trapStorm: { count: 3, windowMs: 3_600_000 } });
    await until(() => readies() === 1);
    dog.input('button', 1);
    dog.input('button', 0);
    await until(() => dog.health().traps === 2);
    expect(stops).toEqual([]);
    dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('watchdog.trap-storm');
    expect(stops[0]?.error.message).toContain('broken');
  }, generous);

  it('refuses, without restarting, a script that calls a function its policy does not grant', async () => {
    const { stops, until } = watch(script("globalThis.osmoseApp = { handle() { return osmoseHost['serial.write'](1, 'x'); } };", ['serial.write']), { engine });
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('kernel.ungranted-import');
    expect(stops[0]?.restartInMs).toBeNull();
  }, generous);

  it("refuses, without restarting, a script app when the image's engine is not the one the shim drives", async () => {
    // Another engine's bytes (here, an empty module): the shim will not start it, and says why at link time.
    const refusal = await ScriptEngine.load(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(KernelError);
    const { stops, until } = watch(script('globalThis.osmoseApp = { handle() { return 0; } };'), { engine: refusal as KernelError });
    await until(() => stops.length === 1);
    expect(stops[0]?.error).toMatchObject({ code: 'kernel.engine-mismatch', data: { instance: 'app@door' } });
    expect(stops[0]?.error.message).toMatch(/^app@door is a script app, and the image's script engine/);
    expect(stops[0]?.restartInMs).toBeNull();
  }, generous);

  it('refuses a script app when the image carries no engine', async () => {
    const { stops, until } = watch(script('globalThis.osmoseApp = { handle() { return 0; } };'));
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('kernel.no-engine');
  }, generous);
});

describe("kernel-js's watchdog", () => {
  let lights: Uint8Array;
  beforeAll(async () => {
    lights = await compiledShippedWasm('lights');
  });

  it('runs the lights app: a press turns the lamp on', async () => {
    const { dog, outputs, until, stops } = watch(lights);
    await until(() => dog.health().running);
    dog.input('button', 1);
    await until(() => outputs.length === 1);
    expect(outputs).toEqual([['lamp', 1]]);
    expect(dog.health().outputs).toEqual({ lamp: 1 });
    expect(stops).toEqual([]);
  }, generous);

  it('stops a handler that never returns (its fuel runs out), records why, and restarts the unikernel', async () => {
    const { dog, stops, until, readies } = watch(loops);
    await until(() => readies() === 1);
    dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('watchdog.event-budget');
    await until(() => readies() === 2);
    expect(dog.health()).toMatchObject({ running: true, runs: 2 });
  }, generous);

  it("stops a unikernel whose memory grows past the board's limit", async () => {
    const { dog, stops, until, readies } = watch(grows);
    await until(() => readies() === 1);
    for (let i = 0; i < 4; i++) dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error).toMatchObject({ code: 'watchdog.memory', data: { pages: 4, limit: 4 } });
    // The board's limit is the memory's maximum: the module never held more.
    expect(stops[0]?.error.message).toContain('past the board');
  }, generous);

  it('stops a trap storm, counting traps, and carries on past fewer', async () => {
    const { dog, stops, until, readies } = watch(traps, { trapStorm: { count: 3, windowMs: 3_600_000 } });
    await until(() => readies() === 1);
    dog.input('button', 1);
    dog.input('button', 0);
    await until(() => dog.health().traps === 2);
    expect(stops).toEqual([]);
    dog.input('button', 1);
    await until(() => stops.length === 1);
    expect(stops[0]?.error.code).toBe('watchdog.trap-storm');
  }, generous);

  it('backs off exponentially when a unikernel traps in initialisation every time', async () => {
    const { stops, until } = watch(trapsInInit);
    await until(() => stops.length === 3);
    expect(stops.map((stop) => stop.error.code)).toEqual(['kernel.init-trap', 'kernel.init-trap', 'kernel.init-trap']);
    expect(stops.map((stop) => stop.restartInMs)).toEqual([5, 10, 20]);
    expect(stops.map((stop) => stop.run)).toEqual([1, 2, 3]);
  }, generous);

  it('stops a unikernel whose initialisation never ends, and restarts it with backoff', async () => {
    const { dog, stops, until } = watch(loopsInInit);
    await until(() => stops.length === 2);
    expect(stops.map((stop) => [stop.error.code, stop.restartInMs])).toEqual([['watchdog.event-budget', 5], ['watchdog.event-budget', 10]]);
    expect(dog.health().running).toBe(false);
  }, generous);

  it('refuses an ungranted import as a stop with the reason, and does not restart it', async () => {
    const { dog, stops, until } = watch(lights, { config: { ...config, fragments: config.fragments.map((f) => ({ ...f, capabilities: [] })) } });
    await until(() => stops.length === 1);
    expect(stops[0]).toMatchObject({ error: { code: 'kernel.ungranted-import' }, restartInMs: null });
    expect(dog.health()).toMatchObject({ running: false, runs: 1 });
  }, generous);

  it("keeps the board's drivers across a stopped run: the restarted unikernel still gets the button's edges", async () => {
    const sim = simBoardBuses({ lines: ['GPIO17', 'GPIO27'] });
    const devices = await openBoardDevices({ button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } }, sim.buses);
    try {
      const { stops, until, readies } = watch(loops, { digital: devices.digital });
      await until(() => readies() === 1);
      sim.gpio.setInput('GPIO17', 1);
      await until(() => stops.length === 1);
      expect(stops[0]?.error.code).toBe('watchdog.event-budget');
      await until(() => readies() === 2);
      expect([sim.gpio.isOpen('GPIO17'), sim.gpio.isOpen('GPIO27')]).toEqual([true, true]);
      sim.gpio.setInput('GPIO17', 0);
      await until(() => stops.length === 2);
      expect(stops.map((stop) => [stop.run, stop.error.code])).toEqual([[1, 'watchdog.event-budget'], [2, 'watchdog.event-budget']]);
    } finally {
      await devices.close();
    }
  }, generous);

  it("carries the lights app's write to the lamp's driver, and a sim press reaches it through GpioIn", async () => {
    const sim = simBoardBuses({ lines: ['GPIO17', 'GPIO27'] });
    const devices = await openBoardDevices({ button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } }, sim.buses);
    try {
      const { outputs, until, readies } = watch(lights, { digital: devices.digital });
      await until(() => readies() === 1);
      sim.gpio.setInput('GPIO17', 1);
      await until(() => outputs.length === 1);
      expect([outputs, sim.gpio.level('GPIO27')]).toEqual([[['lamp', 1]], 1]);
    } finally {
      await devices.close();
    }
  }, generous);
});
