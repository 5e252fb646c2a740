import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { abiDefinition } from '../../userland/abi/abiDefinition.js';
import { abiSignature, sameSignature } from '../../userland/abi/abiFunction.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { sdkDir } from '../../userland/sdk/sdkSources.js';
import { compileApp } from './compileApp.js';

// A probe app that calls every function of the SDK. Compiled, its imports must be exactly
// the ABI's host functions, each with the ABI's signature: nothing the SDK calls is missing
// from the ABI, and nothing in the ABI is out of the SDK's reach.
const probe = `
import { Status, EventKind, LogLevel, Everyone, Person, config, log, clock, gpio, serial, audio, display, enclave, channel, presence, White, Black } from "osmose";

const button = gpio.input("button");
const lamp = gpio.output("lamp");
const port = serial.open("port");
const mic = audio.microphone("mic");
const speaker = audio.speaker("speaker");
const screen = display.open("screen");
const vault = enclave.open("vault");
const link = channel.open("link");
const bytes = new Uint8Array(4);

export function start(): Status {
  return button.found && lamp.status == Status.Ok ? Status.Ok : Status.NotFound;
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  let n: i64 = 0;
  n += config.device("lamp");
  n += config.has("board.id") ? 1 : 0;
  n += config.text("board.id", "?").length + config.int("settings.n", 1) + (config.flag("settings.b", false) ? 1 : 0);
  n += config.buildingId().length + config.buildingName().length + config.timezone().length;
  n += config.boardId().length + config.boardType().length;
  n += config.spaceId().length + config.spaceKind().length + config.spaceName().length + config.spacePath().length;
  n += config.appName().length + config.instance().length;
  n += config.deviceDriver("lamp").length + config.deviceBoard("lamp").length + config.deviceSetting("mic", "rate", "0").length;
  n += config.setting("x", "y").length + config.settingInt("n", 2);

  n += log.write(LogLevel.Warn, "w");
  log.debug("d"); log.info("i"); log.warn("w"); log.error("e");

  n += clock.now() + clock.monotonic() + clock.utcOffset() + clock.localMinuteOfDay() + clock.localHour();
  const once = clock.after(10);
  const every = clock.every(1000);
  n += (once.is(source) ? 1 : 0) + every.cancel();

  n += (button.read() ? 1 : 0) + (button.is(source) ? 1 : 0) + (lamp.read() ? 1 : 0) + lamp.write(true);

  n += port.write(bytes) + port.writeText("at") + port.read(bytes);

  n += mic.start() + mic.stop() + mic.read(bytes) + mic.recordInto(vault, 0);
  n += speaker.write(bytes) + speaker.play("clip", Everyone);

  n += screen.width() + screen.height() + screen.clear(White) + screen.fill(0, 0, 1, 1, Black);
  n += screen.text(0, 0, 10, "hi") + screen.blit(0, 0, 1, 1, bytes) + screen.flush() + screen.showText("hello");

  const people: StaticArray<Person> = presence.here();
  const key = vault.groupKey(people);
  n += key + vault.seal(key, bytes) + vault.dropKey(key);

  n += (link.is(source) ? 1 : 0) + link.send(bytes) + link.sendText("t");
  const message = link.receive();
  if (message !== null) n += message.length;
  const text = link.receiveText();
  if (text !== null) n += text.length;

  n += presence.count() + presence.destinationOf(source).length;
  n += presence.expectedCount() + presence.expected().length + presence.preferenceOf(source, "temperature");

  // AssemblyScript's own env imports, routed through the SDK's runtime.
  trace("probe", 1, <f64>n);
  n += <i64>(Math.random() * 10);
  assert(kind != 99, "never");
  return n == 42 ? Status.Ok : Status.Ignored;
}
`;

function codeProbe(): string {
  const lines = ['import { Status, EventKind, LogLevel } from "osmose";'];
  for (const name of Object.keys(abiDefinition.status)) lines.push(`export function status_${name}(): i32 { return <i32>Status.${name}; }`);
  for (const name of Object.keys(abiDefinition.events)) lines.push(`export function event_${name}(): i32 { return <i32>EventKind.${name}; }`);
  for (const name of Object.keys(abiDefinition.logLevels)) lines.push(`export function level_${name}(): i32 { return <i32>LogLevel.${name}; }`);
  lines.push('export function _handle(kind: i32, source: i32, value: i32): i32 { return 0; }');
  return lines.join('\n');
}

describe('the SDK against the ABI definition', () => {
  it('imports every host function of the ABI, each with its signature, and nothing else', async () => {
    const result = await compileApp({ app: 'probe', files: new Map([['assembly/index.ts', probe]]) });
    if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
    const imports = readWasmInterface(result.wasm).imports;
    const expected = Object.entries(abiDefinition.modules).flatMap(([module, spec]) => Object.keys(spec.functions).map((name) => `${module}.${name}`));
    expect(imports.map((entry) => `${entry.module}.${entry.name}`).sort()).toEqual(expected.sort());
    for (const entry of imports) {
      const fn = (abiDefinition.modules as Record<string, { functions: Record<string, { params: readonly (readonly [string, 'i32' | 'i64'])[]; result: 'i32' | 'i64' }> }>)[entry.module]?.functions[entry.name];
      expect(fn, `${entry.module}.${entry.name}`).toBeDefined();
      if (fn === undefined || entry.type === undefined) continue;
      expect(sameSignature(entry.type, abiSignature(fn.params, [fn.result])), `${entry.module}.${entry.name}`).toBe(true);
    }
  });

  it('gives Status, EventKind and LogLevel the ABI\'s names and codes', async () => {
    const result = await compileApp({ app: 'codes', files: new Map([['assembly/index.ts', codeProbe().replace('_handle', 'handle')]]) });
    if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(result.wasm), { log: { write: () => 0 } });
    const valueOf = (name: string): unknown => (exports[name] as () => number)();
    for (const [name, code] of Object.entries(abiDefinition.status)) expect(valueOf(`status_${name}`), `Status.${name}`).toBe(code.code);
    for (const [name, event] of Object.entries(abiDefinition.events)) expect(valueOf(`event_${name}`), `EventKind.${name}`).toBe(event.code);
    for (const [name, level] of Object.entries(abiDefinition.logLevels)) expect(valueOf(`level_${name}`), `LogLevel.${name}`).toBe(level.code);
  });

  it('has no enum member the ABI lacks', () => {
    const codes = readFileSync(`${sdkDir()}codes.ts`, 'utf8');
    const members = (enumName: string): string[] => {
      const body = new RegExp(`export enum ${enumName} \\{([^}]*)\\}`).exec(codes)?.[1] ?? '';
      return [...body.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/^\s*([A-Za-z]+)\s*=/gm)].map((match) => match[1] ?? '');
    };
    expect(members('Status')).toEqual(Object.keys(abiDefinition.status));
    expect(members('EventKind')).toEqual(Object.keys(abiDefinition.events));
    expect(members('LogLevel')).toEqual(Object.keys(abiDefinition.logLevels));
  });
});
