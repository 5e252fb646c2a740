import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleShim } from '../../image/bundleShim.js';
import { bootBoard } from '../../kernel-js/boot/bootBoard.js';
import { ms } from '../measure.js';
import { residentSize, runNode, timeToOutput } from './childProcess.js';
import { coworkingBoards } from './coworkingBoards.js';
import { percentiles, type Percentiles } from './percentiles.js';
import { scriptAppsBench } from './scriptApps.js';

const boots = 1_000;
const baselineRuns = 40;
const rssRuns = 5;
const boardCount = 200;
const board = 'meeting-1-door';

// The baseline's logic in plain JavaScript: a button press toggling a lamp level, printed.
const plainLamp = "let lamp = 0; const press = () => { lamp = lamp === 0 ? 1 : 0; process.stdout.write('lamp = ' + lamp + '\\n'); }; press();";

interface BoardsMemory {
  readonly boards: number;
  readonly one: { readonly rss: number; readonly heap: number };
  readonly all: { readonly rss: number; readonly heap: number };
}

const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
const times = (p: Percentiles): string => `median ${ms(p.median)}, p99 ${ms(p.p99)}`;
const verdict = (met: boolean): string => (met ? 'met' : 'missed');

/**
 * The shim: how long a board takes to boot from its board directory to its first event
 * handled, against starting a Node.js process that runs the same logic as plain JavaScript;
 * the memory of one shim process, against a bare Node.js process; the memory each further
 * simulated board adds to one process, against a shim process per board; and the size of
 * the shim bundled into one file (image/bundleShim.ts).
 */
export async function benchBoot(): Promise<void> {
  const build = await coworkingBoards();
  try {
    const dir = build.boards.get(board);
    if (dir === undefined) throw new Error(`the coworking build has no ${board}`);

    // (a) Boot to the first event, in a child process of its own (kernel-js's code only in its heap).
    const series = JSON.parse(await runNode(['--expose-gc', script('./timeBoots.js'), dir, String(boots)])) as Record<'cold' | 'warm' | 'warmAfterGc' | 'unikernel' | 'choose' | 'stateWrite', number[]>;
    const warm = percentiles(series.warm);
    const cold = percentiles(series.cold);
    const baselineTimes: number[] = [];
    for (let i = 0; i < baselineRuns; i++) baselineTimes.push(await timeToOutput(['-e', plainLamp], 'lamp = 1'));
    const baseline = percentiles(baselineTimes);

    // (b) One shim process, booted and waiting; the bundle too.
    const shimDir = join(build.parent, 'shim');
    await mkdir(shimDir);
    const bundle = await bundleShim(join(shimDir, 'boot.mjs'));
    const medianRss = async (args: readonly string[], ready: RegExp): Promise<number> => {
      const sizes: number[] = [];
      for (let i = 0; i < rssRuns; i++) sizes.push(await residentSize(args, ready));
      return percentiles(sizes).median;
    };
    const booted = /state: active/;
    const bareRss = await medianRss(['-e', "setInterval(() => {}, 1000); console.log('ready');"], /ready/);
    const cliRss = await medianRss([script('../../cli/main.js'), 'boot', dir], booted);
    const bundleRss = await medianRss([bundle.file, dir], booted);

    // (c) Many simulated boards in one process: those whose unikernel starts (one that stops is
    // restarted later, holding no instance meanwhile, which would make a board look cheaper).
    const work = join(build.parent, 'many');
    await mkdir(work);
    const { starting, stopping } = await startingBoards(build.boards);
    const manyBoards = async (name: string, dirs: readonly string[]): Promise<BoardsMemory> => {
      await mkdir(join(work, name));
      return JSON.parse(await runNode(['--expose-gc', script('./measureBoards.js'), join(work, name), String(boardCount), ...dirs])) as BoardsMemory;
    };
    const withoutDisplay = new Map<string, string>();
    for (const [name, boardDir] of starting) if (!(await hasDisplay(boardDir))) withoutDisplay.set(name, boardDir);
    const mixes = [
      { label: `the ${starting.size} boards whose unikernel starts`, memory: await manyBoards('all', [...starting.values()]) },
      { label: `the ${withoutDisplay.size} of them without a display`, memory: await manyBoards('no-display', [...withoutDisplay.values()]) },
    ];

    const ratio = (p: 'median' | 'p99', of: Percentiles): string => `${(baseline[p] / of[p]).toFixed(0)}×`;
    const warmAfterGc = percentiles(series.warmAfterGc);
    const unikernel = percentiles(series.unikernel);
    const choose = percentiles(series.choose);
    const stateWrite = percentiles(series.stateWrite);
    console.log(`boot: ${board} of the coworking build, from its board directory to its lamp lit by the first press (${warm.runs} boots of each kind in one process)`);
    console.log(`  osmose    warm, the module compiled before (a board booting again in the shim)   ${times(warm)}`);
    console.log(`  osmose    cold, the module compiled in the boot, after a full collection          ${times(cold)}`);
    console.log(`            (warm after a full collection ${times(warmAfterGc)}: the compile's share is ${ms(cold.median - warmAfterGc.median)} at the median)`);
    console.log(`  baseline  a fresh Node.js process, the same logic in plain JS, to its output    ${times(baseline)}  (${baseline.runs} runs)`);
    console.log(`  ratio     warm ${ratio('median', warm)} faster than the baseline at the median, ${ratio('p99', warm)} at p99; cold ${ratio('median', cold)} and ${ratio('p99', cold)}`);
    console.log(
      `  targets   median ≤ 1 ms (warm ${verdict(warm.median <= 1)}, cold ${verdict(cold.median <= 1)}), p99 ≤ 5 ms (warm ${verdict(warm.p99 <= 5)}, cold ${verdict(cold.p99 <= 5)}),` +
        ` ≥ 30× the baseline (warm ${verdict(baseline.median / warm.median >= 30)}, cold ${verdict(baseline.median / cold.median >= 30)})`,
    );
    console.log(`  of which  the unikernel alone (link, instantiate, start, the press; warm)  ${times(unikernel)}, ${ratio('median', unikernel)} faster than the baseline`);
    console.log(`            the slot choice alone (files read, signature and digests checked)  ${times(choose)}`);
    console.log(`            one state.json save (written, flushed, renamed: a first boot, or one that changes the decision, adds it)  ${times(stateWrite)}`);
    console.log(`shim memory: one shim process's RSS once ${board} runs (median of ${rssRuns})`);
    console.log(`  baseline  node -e "setInterval(…)"                ${mb(bareRss)}`);
    console.log(`  osmose    node dist/cli/main.js boot BOARD_DIR    ${mb(cliRss)}  ${(cliRss / bareRss).toFixed(2)}× the bare process (+${mb(cliRss - bareRss)})`);
    console.log(`  osmose    node boot.mjs BOARD_DIR (the bundle)    ${mb(bundleRss)}  ${(bundleRss / bareRss).toFixed(2)}× the bare process (+${mb(bundleRss - bareRss)})`);
    console.log(`boards in one process: 1, then ${boardCount} board directories (the coworking build's boards in turn), booted in a clean child process`);
    if (stopping.size > 0) console.log(`  left out, stopped at start    ${[...stopping].map(([name, why]) => `${name} (${why})`).join(', ')}`);
    for (const { label, memory } of mixes) {
      const perBoard = { rss: (memory.all.rss - memory.one.rss) / (memory.boards - 1), heap: (memory.all.heap - memory.one.heap) / (memory.boards - 1) };
      console.log(`  ${label}`);
      console.log(`    1 board         RSS ${mb(memory.one.rss)}, heap + external ${mb(memory.one.heap)}`);
      console.log(`    ${memory.boards} boards      RSS ${mb(memory.all.rss)}, heap + external ${mb(memory.all.heap)}`);
      console.log(`    each further    RSS ${mb(perBoard.rss)}, heap + external ${mb(perBoard.heap)}  (target ≤ 2 MB: ${verdict(perBoard.rss <= 2e6)})`);
      console.log(`    ratio           a shim process per board instead would take ${mb(cliRss)} a board: ${(cliRss / perBoard.rss).toFixed(0)}× more`);
    }
    console.log(`shim bundle (image/bundleShim.ts: node boot.mjs BOARD_DIR, native addons outside)`);
    console.log(`  ${bundle.bytes.toLocaleString('en')} bytes, ${bundle.gzipBytes.toLocaleString('en')} gzipped; from ${bundle.inputs.files} modules of ${bundle.inputs.bytes.toLocaleString('en')} bytes (${((bundle.bytes / bundle.inputs.bytes) * 100).toFixed(0)}%)`);
  } finally {
    await build.remove();
  }
  // The same app in AssemblyScript and in plain TypeScript, in one process (issue 10).
  await scriptAppsBench();
}

/** The boards whose unikernel starts, by name; and the others, with why they stopped. */
async function startingBoards(boards: ReadonlyMap<string, string>): Promise<{ starting: Map<string, string>; stopping: Map<string, string> }> {
  const starting = new Map<string, string>();
  const stopping = new Map<string, string>();
  for (const [name, dir] of boards) {
    const booted = await bootBoard(dir);
    await booted.settled;
    const { unikernel } = await booted.health();
    await booted.close();
    if (unikernel.running) starting.set(name, dir);
    else stopping.set(name, unikernel.stops.at(-1)?.error.message ?? 'stopped');
  }
  return { starting, stopping };
}

async function hasDisplay(dir: string): Promise<boolean> {
  const config = JSON.parse(await readFile(join(dir, 'a', 'config.json'), 'utf8')) as { devices: Record<string, { driver: string }> };
  return Object.values(config.devices).some((device) => device.driver === 'display');
}
