import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { compileApp } from '../builder/compile/compileApp.js';
import { runCli } from '../cli/runCli.js';
import { ms } from './measure.js';

/**
 * Building a 1,000-board building (grid 10 × 25 × 4) the osmose way — one compile per app,
 * per-board configuration, content-addressed — against the per-device way, where each board's
 * firmware is compiled on its own (as ESPHome does), measured on a sample and scaled up.
 */
export async function benchBuild(): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-build-'));
  const root = join(parent, 'grid');
  try {
    const quiet = { cwd: parent, stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), env: { OSMOSE_ROOT_PASSPHRASE: 'bench' }, interactive: false };
    if ((await runCli(['init', root, '--template', 'grid', '--floors', '10', '--rooms', '25', '--boards-per-room', '4'], quiet)) !== 0) {
      throw new Error('could not make the benchmark building');
    }

    const timed = async (change?: () => Promise<void>): Promise<{ ms: number; compiles: number; changed: number }> => {
      await change?.();
      const start = performance.now();
      const report = await buildBuilding({ root });
      return { ms: performance.now() - start, compiles: report.counts.compiles, changed: report.counts.changed };
    };
    const edit = async (path: string, from: string | RegExp, to: string): Promise<void> => {
      const text = await readFile(join(root, path), 'utf8');
      const next = text.replace(from, to);
      if (next === text) throw new Error(`the benchmark's edit of ${path} changed nothing`);
      await writeFile(join(root, path), next);
    };

    const cold = await timed();
    const noChange = await timed();
    const oneApp = await timed(() => edit('apps/lights/assembly/index.ts', 'let lit = false;', 'let lit = false;\nexport function revision(): i32 { return 2; }'));
    // One room's topology: its first board's lamp moves to another pin.
    const oneRoom = await timed(() => edit('building.yaml', /(id: f3-r7-b1[\s\S]*?lamp: \{ ?driver: gpio-out, pin: )GPIO27/, '$1GPIO5'));
    const peakMiB = process.resourceUsage().maxRSS / 1024;

    // The per-device baselines, each measured on a sample of boards and scaled to all of them:
    // a fresh toolchain process per board (what per-device firmware tools do), and, kinder to
    // them, a compiler kept warm in one process with only the compile repeated.
    const sample = 3;
    const folder = join(root, 'apps/lights');
    let start = performance.now();
    for (let i = 0; i < sample; i++) execFileSync(process.execPath, [fileURLToPath(new URL('./compileOnce.js', import.meta.url)), folder, 'lights']);
    const perProcess = (performance.now() - start) / sample;
    const lights = new Map([['assembly/index.ts', await readFile(join(folder, 'assembly/index.ts'), 'utf8')]]);
    start = performance.now();
    for (let i = 0; i < sample; i++) {
      const result = await compileApp({ app: 'lights', files: lights });
      if (!result.ok) throw new Error('the baseline compile failed');
    }
    const perCompile = (performance.now() - start) / sample;
    const boards = cold.changed;

    console.log(`build: a ${cold.changed}-board grid building (10×25×4, one app), in one process`);
    console.log(`  cold build                 ${ms(cold.ms)}  (${cold.compiles} compile, ${cold.changed} boards imaged)`);
    console.log(`  no change                  ${ms(noChange.ms)}  (${noChange.compiles} compiles, ${noChange.changed} boards changed)`);
    console.log(`  one app changed            ${ms(oneApp.ms)}  (${oneApp.compiles} compile, ${oneApp.changed} boards changed)`);
    console.log(`  one room's topology        ${ms(oneRoom.ms)}  (${oneRoom.compiles} compiles, ${oneRoom.changed} board changed)`);
    console.log(`  peak memory (max RSS)      ${peakMiB.toFixed(0)} MiB`);
    console.log(`  baseline, a fresh toolchain per board   ${ms(perProcess * boards)}  (${ms(perProcess)} a board, from ${sample}, × ${boards})`);
    console.log(`  baseline, a warm compiler per board     ${ms(perCompile * boards)}  (${ms(perCompile)} a board, from ${sample}, × ${boards})`);
    console.log(`  ratio     cold build ${(perProcess * boards / cold.ms).toFixed(0)}× faster than a fresh toolchain per board, ${(perCompile * boards / cold.ms).toFixed(0)}× than a warm one;`);
    console.log(`            one-app change ${(perProcess * boards / oneApp.ms).toFixed(0)}× and ${(perCompile * boards / oneApp.ms).toFixed(0)}×`);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
