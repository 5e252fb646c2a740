import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelBoardConfig, KernelFragment } from '../boot/KernelImage.js';
import type { FragmentContext } from '../host/FragmentContext.js';
import { memoryDevices } from '../host/KernelDevices.js';
import { KernelError } from '../KernelError.js';
import { linkScriptFragment, ScriptTrap } from './linkScriptFragment.js';
import { ScriptEngine } from './ScriptEngine.js';
import type { ScriptModule } from './ScriptModule.js';

const fragment: KernelFragment = {
  instance: 'lights@door',
  app: 'lights',
  bindings: {
    button: { board: 'door', device: 'button', driver: 'gpio-in', local: true },
    lamp: { board: 'door', device: 'lamp', driver: 'gpio-out', local: true },
  },
  capabilities: ['gpio'],
};
const config: KernelBoardConfig = {
  format: 1,
  abi: 3,
  board: { id: 'door', type: 'sim', space: ['b', 'room'], place: { kind: 'room', name: 'Room 1' } },
  devices: { button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } },
  fragments: [fragment],
  circuits: [],
};

function context(writes: [string, number][] = [], logs: string[] = [], memoryPages = 64, budgetMs = 50): FragmentContext {
  return {
    config,
    fragment,
    devices: memoryDevices(config.devices, (device, level) => writes.push([device, level])),
    memoryPages,
    budgetMs,
    log: (_level, message) => logs.push(message),
    now: () => 1_700_000_000_000,
    monotonic: () => 0,
    schedule: () => () => undefined,
    raise: () => undefined,
  };
}

const script = (source: string, imports: readonly string[] = ['config.device', 'config.read', 'gpio.write', 'log.write']): ScriptModule => ({ format: 1, abi: 3, imports, source });

// A lamp that toggles on each press: the shape of a script the TypeScript SDK bundles.
const lights = script(`
  const h = osmoseHost;
  const lamp = h['config.device']('lamp');
  class Toggle { on = false; flip() { this.on = !this.on; return this.on; } }
  const toggle = new Toggle();
  globalThis.osmoseApp = {
    start() {
      h['config.read']('space.name', 64);
      h['log.write'](1, JSON.stringify({ lamp, room: String.fromCharCode(...new Uint8Array(h.output())) }));
      return 0;
    },
    handle(kind, source, value) {
      if (kind !== 1) return 1;
      return h['gpio.write'](lamp, toggle.flip() ? 1 : 0);
    },
  };
`);

function refusal(run: () => unknown): KernelError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelError);
    return error as KernelError;
  }
  throw new Error('expected a KernelError');
}

let engine: ScriptEngine;
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  engine = await ScriptEngine.load(await readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
});

describe('linkScriptFragment', () => {
  it('runs a script app on the same host functions as a WebAssembly one: config, log, gpio', () => {
    const writes: [string, number][] = [];
    const logs: string[] = [];
    const linked = linkScriptFragment(engine, lights, context(writes, logs));
    linked.initialize();
    expect(linked.start()).toBe(0);
    expect(JSON.parse(logs[0] ?? '{}')).toEqual({ lamp: 2, room: 'Room 1' });
    expect(linked.handle(1, 1, 0)).toBe(0);
    expect(linked.handle(1, 1, 0)).toBe(0);
    expect(linked.handle(2, 1, 0)).toBe(1);
    expect(writes).toEqual([
      ['lamp', 1],
      ['lamp', 0],
    ]);
    expect(linked.linked).toEqual(['config', 'gpio', 'log']);
    expect(linked.memoryPages()).toBeGreaterThan(0);
    linked.close();
  });

  it('hands the host text whole: a U+0000 inside does not end it, and non-ASCII crosses as UTF-8', () => {
    const logs: string[] = [];
    const linked = linkScriptFragment(engine, script("globalThis.osmoseApp = { start() { osmoseHost['log.write'](1, 'a\\u0000b'); return osmoseHost['log.write'](1, 'café 🌿\\u0000'); } };"), context([], logs));
    linked.initialize();
    expect(linked.start()).toBe(0);
    expect(logs).toEqual(['a\u0000b', 'café 🌿\u0000']);
    linked.close();
  });

  it('refuses, at link time, a script that calls a function its policy does not grant, or one the ABI does not have', () => {
    const ungranted = refusal(() => linkScriptFragment(engine, script('globalThis.osmoseApp = {}', ['presence.count']), context()));
    expect(ungranted.code).toBe('kernel.ungranted-import');
    expect(ungranted.message).toContain('presence.count (needs presence)');
    expect(refusal(() => linkScriptFragment(engine, script('', ['gpio.explode']), context())).code).toBe('kernel.abi');
    expect(refusal(() => linkScriptFragment(engine, { ...lights, abi: 99 }, context())).code).toBe('kernel.abi-version');
    // A script that does not compile is a malformed module, refused when it is linked (compiled), not when it first runs.
    const broken = refusal(() => linkScriptFragment(engine, script('globalThis.osmoseApp = { handle( {', []), context()));
    expect(broken.code).toBe('kernel.malformed');
    expect(broken.message).toMatch(/SyntaxError/);
  });

  it('gives the script only the functions it declared: anything else is not there to call', () => {
    const linked = linkScriptFragment(engine, script(`globalThis.osmoseApp = { handle() { return osmoseHost['gpio.read'](1); } };`, ['gpio.write']), context());
    linked.initialize();
    expect(() => linked.handle(1, 1, 0)).toThrow(ScriptTrap);
    linked.close();
  });

  it('stops a handler that loops past the budget, and one that takes more memory than the board has', () => {
    const loops = linkScriptFragment(engine, script('globalThis.osmoseApp = { handle() { for (;;) {} } };', []), context());
    loops.initialize();
    expect(refusal(() => loops.handle(1, 1, 0)).code).toBe('watchdog.event-budget');
    loops.close();
    const grows = linkScriptFragment(engine, script('globalThis.osmoseApp = { handle() { const all = []; for (;;) all.push({ n: all.length, list: [1, 2, 3] }); } };', []), context([], [], 16, 10_000));
    grows.initialize();
    expect(refusal(() => grows.handle(1, 1, 0)).code).toBe('watchdog.memory');
    grows.close();
  });

  it('turns an uncaught exception into a trap, and a script without osmoseApp into one at initialisation', () => {
    const throws = linkScriptFragment(engine, script('globalThis.osmoseApp = { handle() { JSON.parse("{"); } };', []), context());
    throws.initialize();
    expect(() => throws.handle(1, 1, 0)).toThrow(/SyntaxError/);
    throws.close();
    const empty = linkScriptFragment(engine, script('const x = 1;', []), context());
    expect(() => empty.initialize()).toThrow(/osmoseApp/);
    empty.close();
  });

  it('refuses an engine module that is not the one the shim drives', async () => {
    await expect(ScriptEngine.load(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).rejects.toMatchObject({ code: 'kernel.engine-mismatch' });
  });
});
