import { readScriptEngine } from '../../builder/compile/readScriptEngine.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileApp } from '../../builder/compile/compileApp.js';
import { compileScriptApp } from '../../builder/compile/compileScriptApp.js';
import type { KernelBoardConfig, KernelFragment } from '../../kernel-js/boot/KernelImage.js';
import type { FragmentContext } from '../../kernel-js/host/FragmentContext.js';
import { memoryDevices } from '../../kernel-js/host/KernelDevices.js';
import { linkFragment, type LinkedFragment } from '../../kernel-js/host/linkFragment.js';
import { linkScriptFragment } from '../../kernel-js/run/linkScriptFragment.js';
import { ScriptEngine } from '../../kernel-js/run/ScriptEngine.js';
import type { ScriptModule } from '../../kernel-js/run/ScriptModule.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { readScriptSource } from '../../userland/abi/scriptContainer.js';
import { shippedAppsDir } from '../../userland/shippedApps.js';
import { runNode } from './childProcess.js';
import { percentiles } from './percentiles.js';

const boots = 300;
const events = 20_000;
/** Engine starts timed, each in a fresh process. */
const engineStarts = 7;

const fragment: KernelFragment = {
  instance: 'lights@door',
  app: 'lights',
  bindings: {
    button: { board: 'door', device: 'button', driver: 'gpio-in', local: true },
    lamp: { board: 'door', device: 'lamp', driver: 'gpio-out', local: true },
  },
  capabilities: ['gpio', 'presence'],
};
const config: KernelBoardConfig = {
  format: 1,
  abi: 3,
  board: { id: 'door', type: 'sim', space: ['b', 'room'] },
  devices: { button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } },
  fragments: [fragment],
  circuits: [],
};

// The shipped lights app (userland/apps/lights/assembly/index.ts) written in plain TypeScript
// against the TypeScript SDK, line for line, and compiled by the builder's front end.
const lightsTypeScript = `
import { app, EventKind, gpio, presence, Status } from 'osmose';

const button = gpio.input('button');
const lamp = gpio.output('lamp');
let lit = false;

function toggle(): Status {
  const status = lamp.write(!lit);
  if (status === Status.Ok) lit = !lit;
  return status;
}

function leftEmpty(present: number, expected: number): Status {
  if (present < 0) return present;
  if (expected < 0) return expected;
  return present === 0 && expected === 0 && lit ? toggle() : Status.Ok;
}

app({
  handle(kind, source, value) {
    if (kind === EventKind.Press) return button.is(source) ? toggle() : Status.Ignored;
    if (kind === EventKind.Expected || kind === EventKind.Arrived) return lit ? Status.Ok : toggle();
    if (kind === EventKind.Left) return leftEmpty(value, presence.expectedCount());
    if (kind === EventKind.NotExpected) return leftEmpty(presence.count(), value);
    return Status.Ignored;
  },
});
`;

function context(): FragmentContext {
  return {
    config,
    fragment,
    devices: memoryDevices(config.devices, () => undefined),
    memoryPages: 256,
    budgetMs: 50,
    log: () => undefined,
    now: Date.now,
    monotonic: () => 0,
    schedule: () => () => undefined,
    raise: () => undefined,
  };
}

interface Side {
  readonly bytes: number;
  readonly bootMs: { readonly median: number; readonly p99: number };
  readonly eventMicros: number;
  readonly memoryPages: number;
}

export interface ScriptAppsBench {
  readonly assemblyscript: Side;
  readonly script: Side & { readonly engineBytes: number; readonly engineLoadMs: number; readonly engineFreshMs: number };
}

function measure(link: () => LinkedFragment): Omit<Side, 'bytes'> {
  const times: number[] = [];
  let last: LinkedFragment | undefined;
  for (let i = 0; i < boots; i++) {
    last?.close();
    const start = performance.now();
    last = link();
    last.initialize();
    last.start();
    times.push(performance.now() - start);
  }
  const linked = last as LinkedFragment;
  for (let i = 0; i < 1_000; i++) linked.handle(1, 1, 0);
  const start = performance.now();
  for (let i = 0; i < events; i++) linked.handle(1, 1, 0);
  const eventMicros = ((performance.now() - start) * 1000) / events;
  const memoryPages = linked.memoryPages();
  linked.close();
  const p = percentiles(times);
  return { bootMs: { median: p.median, p99: p.p99 }, eventMicros, memoryPages };
}

/**
 * The same app, the shipped lights app, as a WebAssembly module compiled from AssemblyScript
 * and as a script in the board's JavaScript engine, in one run: the time from link to started
 * (as a board boots it), the time to handle a button press (the lamp written through the same
 * host function), the memory each holds, and what each adds to an image.
 */
export async function scriptAppsBench(): Promise<ScriptAppsBench> {
  const dir = join(shippedAppsDir(), 'lights');
  const compiled = await compileApp({ app: 'lights', files: new Map([['assembly/index.ts', await readFile(join(dir, 'assembly', 'index.ts'), 'utf8')]]) });
  if (!compiled.ok) throw new Error(compiled.issues.map((issue) => issue.message).join('\n'));
  const wasm = compiled.wasm;
  const engineWasm = await readScriptEngine();
  const loadStart = performance.now();
  const engine = await ScriptEngine.load(engineWasm);
  const engineLoadMs = performance.now() - loadStart;
  // As a board's shim starts it: in a process that has compiled nothing before.
  const fresh: number[] = [];
  for (let i = 0; i < engineStarts; i++) fresh.push((JSON.parse(await runNode([fileURLToPath(new URL('./timeEngineStart.js', import.meta.url))])) as { ms: number }).ms);
  const engineFreshMs = percentiles(fresh).median;

  const assemblyscript = { bytes: wasm.byteLength, ...measure(() => linkFragment(wasm, context())) };
  const typescript = await compileScriptApp({ app: 'lights', files: new Map([['src/index.ts', lightsTypeScript]]) });
  if (!typescript.ok) throw new Error(typescript.issues.map((issue) => issue.message).join('\n'));
  const container = readWasmInterface(typescript.wasm);
  const lightsScript: ScriptModule = { format: 1, abi: 3, imports: container.imports.map((entry) => `${entry.module}.${entry.name}`), source: readScriptSource(container) ?? '' };
  const script = { bytes: typescript.wasm.byteLength, engineBytes: engineWasm.byteLength, engineLoadMs, engineFreshMs, ...measure(() => linkScriptFragment(engine, lightsScript, context())) };
  const result: ScriptAppsBench = { assemblyscript, script };
  report(result);
  return result;
}

function report(r: ScriptAppsBench): void {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const a = r.assemblyscript;
  const s = r.script;
  console.log(`script apps: the lights app in AssemblyScript (the shipped one) and in plain TypeScript (the same code on the TypeScript SDK, compiled by the builder), in one process; ${boots} boots, ${events} button presses each`);
  console.log(`  link to started   AssemblyScript median ${a.bootMs.median.toFixed(3)} ms (p99 ${a.bootMs.p99.toFixed(3)})   script median ${s.bootMs.median.toFixed(3)} ms (p99 ${s.bootMs.p99.toFixed(3)})   ${(s.bootMs.median / a.bootMs.median).toFixed(1)}×`);
  console.log(`  one press         AssemblyScript ${a.eventMicros.toFixed(2)} µs   script ${s.eventMicros.toFixed(2)} µs   ${(s.eventMicros / a.eventMicros).toFixed(1)}×`);
  console.log(`  memory            AssemblyScript ${a.memoryPages} pages of 64 KiB   script heap ${s.memoryPages} pages`);
  console.log(`  size              AssemblyScript module ${kb(a.bytes)}   TypeScript module (script and imports) ${kb(s.bytes)} + the engine ${kb(s.engineBytes)} once per image`);
  console.log(`  engine start      once per board boot, in a fresh process (median of ${engineStarts}) ${s.engineFreshMs.toFixed(1)} ms; in this process, after the rest of the bench ${s.engineLoadMs.toFixed(1)} ms`);
}
