// Apps written against the TypeScript SDK (userland/sdk/typescript), bundled with esbuild as
// the builder bundles them (osmoseSdkPlugin), their imports found with scriptImports, and run
// in the board's script engine on the kernel's bridge: what the SDK promises, end to end.
import { readScriptEngine } from '../builder/compile/readScriptEngine.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeCheckScriptApp } from '../builder/compile/typeCheckScriptApp.js';
import { FrameDisplay, SimDisplayBus } from '../drivers/index.js';
import type { KernelBoardConfig, KernelFragment } from '../kernel-js/boot/KernelImage.js';
import type { FragmentContext } from '../kernel-js/host/FragmentContext.js';
import type { KernelDevices } from '../kernel-js/host/KernelDevices.js';
import { memoryDevices } from '../kernel-js/host/KernelDevices.js';
import { emptySpace, type KernelPresence } from '../kernel-js/host/KernelPresence.js';
import type { LinkedFragment } from '../kernel-js/host/linkFragment.js';
import { KernelError } from '../kernel-js/KernelError.js';
import { linkScriptFragment } from '../kernel-js/run/linkScriptFragment.js';
import { ScriptEngine } from '../kernel-js/run/ScriptEngine.js';
import { abiDefinition } from '../userland/abi/index.js';
import { osmoseSdkPlugin, sdkEntry } from '../userland/sdk/typescript/osmoseSdkPlugin.js';
import { scriptImports } from '../userland/sdk/typescript/scriptImports.js';

const roomName = 'Salle Éole — café 🌿';
const devices: KernelBoardConfig['devices'] = {
  button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } },
  lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27', label: 'Lampe à pied' } },
  screen: { driver: 'display', settings: { width: 8, height: 4 } },
};
const fragment: KernelFragment = {
  instance: 'lights@door',
  app: 'lights',
  bindings: {
    button: { board: 'door', device: 'button', driver: 'gpio-in', local: true },
    lamp: { board: 'door', device: 'lamp', driver: 'gpio-out', local: true },
    screen: { board: 'door', device: 'screen', driver: 'display', local: true },
  },
  capabilities: ['gpio', 'presence', 'display'],
};
const config: KernelBoardConfig = {
  format: 1,
  abi: 3,
  board: { id: 'door', type: 'sim', space: ['b', 'room-1'], place: { kind: 'room', name: roomName } },
  devices,
  fragments: [fragment],
  circuits: [],
};

interface Board {
  readonly writes: [string, number][];
  readonly logs: string[];
  readonly timers: [number, number, () => void][];
  readonly raised: [number, number, number][];
}

function context(board: Board, extra: Partial<KernelDevices> = {}, capabilities = fragment.capabilities): FragmentContext {
  return {
    config,
    fragment: { ...fragment, capabilities },
    devices: { ...memoryDevices(config.devices, (device, level) => board.writes.push([device, level])), ...extra },
    memoryPages: 64,
    budgetMs: 200,
    log: (_level, message) => board.logs.push(message),
    now: () => 1_700_000_000_000,
    monotonic: () => 0,
    schedule: (delayMs, periodMs, fire) => {
      board.timers.push([delayMs, periodMs, fire]);
      return () => undefined;
    },
    raise: (kind, source, value) => board.raised.push([kind, source, value]),
  };
}

const newBoard = (): Board => ({ writes: [], logs: [], timers: [], raised: [] });

let engine: ScriptEngine;
let folder: string;
beforeAll(async () => {
  engine = await ScriptEngine.load(await readScriptEngine());
  folder = await mkdtemp(join(tmpdir(), 'osmose-ts-sdk-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

let apps = 0;
/** An app's source as the builder bundles it: its own file, the SDK through the plugin. */
async function bundle(source: string, options: { readonly minify?: boolean; readonly plugin?: boolean } = {}): Promise<string> {
  const file = join(folder, `app${apps++}.ts`);
  await writeFile(file, source);
  const plugin = options.plugin ?? true;
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2023',
    minify: options.minify ?? false,
    logLevel: 'silent',
    ...(plugin ? { plugins: [osmoseSdkPlugin()] } : { alias: { osmose: sdkEntry() } }),
  });
  return result.outputFiles[0]?.text ?? '';
}

async function link(source: string, board: Board, extra: Partial<KernelDevices> = {}, capabilities = fragment.capabilities): Promise<{ linked: LinkedFragment; imports: string[] }> {
  // Every app here is one the builder accepts: it type-checks against the SDK.
  expect(await typeCheckScriptApp(new Map([['src/index.ts', source]]), 'src/index.ts')).toEqual([]);
  const text = await bundle(source);
  const imports = scriptImports(text);
  const linked = linkScriptFragment(engine, { format: 1, abi: abiDefinition.version, imports, source: text }, context(board, extra, capabilities));
  linked.initialize();
  return { linked, imports };
}

const lights = `
import { app, gpio, Status, EventKind } from "osmose";

const button = gpio.input("button");
const lamp = gpio.output("lamp");

class Lamp {
  lit = false;
  toggle(): Status {
    const status = lamp.write(!this.lit);
    if (status === Status.Ok) this.lit = !this.lit;
    return status;
  }
}
const state = new Lamp();

app({
  handle(kind, source) {
    if (kind === EventKind.Press) return button.is(source) ? state.toggle() : Status.Ignored;
    return Status.Ignored;
  },
});
`;

describe('the TypeScript SDK, bundled and run in the board engine', () => {
  it('runs a lights app: each press of the button toggles the lamp, other events are ignored', async () => {
    const board = newBoard();
    const { linked, imports } = await link(lights, board);
    expect(imports).toEqual(['config.device', 'gpio.read', 'gpio.write']);
    const button = linked.handles.get('button') ?? -1;
    expect(linked.handle(abiDefinition.events.Press.code, button, 0)).toBe(abiDefinition.status.Ok.code);
    expect(linked.handle(abiDefinition.events.Press.code, button, 0)).toBe(abiDefinition.status.Ok.code);
    expect(linked.handle(abiDefinition.events.Press.code, 99, 0)).toBe(abiDefinition.status.Ignored.code);
    expect(linked.handle(abiDefinition.events.Release.code, button, 0)).toBe(abiDefinition.status.Ignored.code);
    expect(board.writes).toEqual([
      ['lamp', 1],
      ['lamp', 0],
    ]);
    linked.close();
  });

  it('keeps the names of host calls through minifying, and a kernel refuses the app when gpio is not granted', async () => {
    expect(scriptImports(await bundle(lights, { minify: true }))).toEqual(['config.device', 'gpio.read', 'gpio.write']);
    try {
      await link(lights, newBoard(), {}, ['presence']);
      expect.unreachable('the link should have been refused');
    } catch (error) {
      expect(error).toBeInstanceOf(KernelError);
      expect((error as KernelError).code).toBe('kernel.ungranted-import');
    }
  });

  it('imports only what an app uses: a speaker alone brings no microphone calls (the plugin), where a plain alias brings them all', async () => {
    const speaker = `import { app, audio, Status } from "osmose"; const s = audio.speaker("speaker"); app({ handle() { return s.play("chime") ?? Status.Ok; } });`;
    expect(scriptImports(await bundle(speaker))).toEqual(['audio.play', 'audio.write', 'config.device']);
    expect(scriptImports(await bundle(speaker, { plugin: false }))).toContain('audio.start');
  });

  it('reads the configuration (a non-ASCII space name, a device setting, fallbacks) and logs', async () => {
    const board = newBoard();
    const { linked } = await link(
      `import { app, config, log, Status } from "osmose";
       app({
         start() {
           log.info(config.spaceName());
           log.info(JSON.stringify({
             pin: config.deviceSetting("lamp", "pin"),
             label: config.deviceSetting("lamp", "label"),
             width: config.int("device.screen.width", -1),
             driver: config.deviceDriver("lamp"),
             instance: config.instance(),
             missing: config.setting("absent", "fallback"),
             has: [config.has("board.id"), config.has("nothing.here")],
             flag: config.flag("board.id", true),
           }));
           return Status.Ok;
         },
         handle() { return Status.Ignored; },
       });`,
      board,
    );
    expect(linked.start()).toBe(0);
    expect(board.logs[0]).toBe(roomName);
    expect(JSON.parse(board.logs[1] ?? '{}')).toEqual({ pin: 'GPIO27', label: 'Lampe à pied', width: 8, driver: 'gpio-out', instance: 'lights@door', missing: 'fallback', has: [true, false], flag: true });
    linked.close();
  });

  it('sets timers (clock.after and clock.every give ids) and hears them fire', async () => {
    const board = newBoard();
    const { linked, imports } = await link(
      `import { app, clock, log, Status, EventKind } from "osmose";
       let once: ReturnType<typeof clock.after> | undefined;
       let tick: ReturnType<typeof clock.every> | undefined;
       app({
         start() {
           once = clock.after(500);
           tick = clock.every(1000);
           log.info(\`timers \${once.id} \${tick.id}\`);
           return Status.Ok;
         },
         handle(kind, source) {
           if (kind !== EventKind.Timer) return Status.Ignored;
           log.info(once?.is(source) ? "once" : tick?.is(source) ? "tick" : "other");
           return tick?.is(source) ? tick.cancel() : Status.Ok;
         },
       });`,
      board,
    );
    expect(imports).toEqual(['clock.cancelTimer', 'clock.setTimer', 'log.write']);
    expect(linked.start()).toBe(0);
    expect(board.logs).toEqual(['timers 1 2']);
    expect(board.timers.map(([delay, period]) => [delay, period])).toEqual([
      [500, 0],
      [1000, 1000],
    ]);
    board.timers[1]?.[2]();
    expect(board.raised).toEqual([[abiDefinition.events.Timer.code, 2, 0]]);
    expect(linked.handle(abiDefinition.events.Timer.code, 2, 0)).toBe(0);
    expect(linked.handle(abiDefinition.events.Timer.code, 1, 0)).toBe(0);
    expect(board.logs.slice(1)).toEqual(['tick', 'once']);
    linked.close();
  });

  it('counts and lists who is present and expected, with their destination and preferences', async () => {
    const board = newBoard();
    const presence: KernelPresence = {
      ...emptySpace,
      people: () => [7, 9, 12],
      expected: () => [11],
      // The host answers a destination for someone present (on their way elsewhere).
      destination: (person) => (person === 9 ? 'salle-été' : undefined),
      preference: (person, name) => (person === 7 && name === 'temperature' ? 215 : undefined),
    };
    const { linked } = await link(
      `import { app, log, presence, Status } from "osmose";
       app({
         handle() {
           log.info(JSON.stringify({
             count: presence.count(),
             here: presence.here(),
             expectedCount: presence.expectedCount(),
             expected: presence.expected(),
             destination: presence.destinationOf(9),
             nowhere: presence.destinationOf(7),
             warmth: presence.preferenceOf(7, "temperature"),
             none: presence.preferenceOf(9, "temperature"),
           }));
           return Status.Ok;
         },
       });`,
      board,
      { presence },
    );
    expect(linked.handle(abiDefinition.events.Arrived.code, 12, 3)).toBe(0);
    expect(JSON.parse(board.logs[0] ?? '{}')).toEqual({ count: 3, here: [7, 9, 12], expectedCount: 1, expected: [11], destination: 'salle-été', nowhere: '', warmth: 215, none: abiDefinition.status.NotFound.code });
    linked.close();
  });

  it('draws on a screen: a filled rectangle shows on the sim panel after flush', async () => {
    const board = newBoard();
    const panel = new SimDisplayBus({ width: 8, height: 4 });
    const frame = new FrameDisplay({ bus: panel, width: 8, height: 4 });
    const { linked } = await link(
      `import { app, display, log, Status, White } from "osmose";
       const screen = display.open("screen");
       app({
         start() {
           log.info(\`\${screen.width()}x\${screen.height()}\`);
           screen.clear(White);
           screen.fill(2, 1, 3, 2, 0xff0000);
           return screen.flush();
         },
         handle() { return Status.Ignored; },
       });`,
      board,
      { display: (name) => (name === 'screen' ? frame : undefined) },
    );
    expect(linked.start()).toBe(0);
    expect(board.logs).toEqual(['8x4']);
    expect([panel.pixel(0, 0), panel.pixel(2, 1), panel.pixel(4, 2), panel.pixel(5, 2)]).toEqual([0xffffff, 0xff0000, 0xff0000, 0xffffff]);
    linked.close();
  });
});
