import { performance } from 'node:perf_hooks';
import { boardsById } from '../../boards/index.js';
import { readBoardState, writeBoardState } from '../../kernel-js/boot/boardStateFile.js';
import { bootBoard } from '../../kernel-js/boot/bootBoard.js';
import { chooseSlot } from '../../kernel-js/boot/chooseSlot.js';
import { clearCompiledModules } from '../../kernel-js/run/compileMetered.js';
import { Watchdog } from '../../kernel-js/run/Watchdog.js';

// Run by benchBoot in a child process with --expose-gc: boots one board directory RUNS times
// warm and RUNS times cold, and prints every time, in milliseconds, as JSON.
//
// A boot is what `osmose boot` does up to its first event: read the board directory, choose
// and verify a slot, compile and instantiate the unikernel, confirm the slot, then deliver a
// press of the button, which lights the lamp. It is the everyday boot of a confirmed board:
// state.json is there and the decision is the last one's, so nothing is written (a first boot,
// or one that changes the decision, saves state.json once: see stateWrite).
// The press enters where the button's driver hands over its debounced edge (Watchdog.input),
// so the driver's 10 ms debounce is not counted.
//
// Cold: compileMetered's cache is emptied, and a full collection frees the previous run's
// module, because V8 also shares the machine code of a module compiled from the same bytes
// while one is alive. Warm: the same board boots again, as a restarted board does in the sim,
// in a series of its own; and once right after each full collection, which slows what follows
// it, so that cold minus that is the compile's share. Every boot takes the same path.
const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const gc = globalThis.gc;
if (dir === undefined || !Number.isInteger(runs) || gc === undefined) throw new Error('usage: node --expose-gc timeBoots.js BOARD_DIR RUNS');

async function boot(dir: string): Promise<number> {
  let lamp = 0;
  const start = performance.now();
  const board = await bootBoard(dir, {
    onOutput: (device, level) => {
      if (device === 'lamp') lamp = level;
    },
  });
  await board.settled;
  board.watchdog.input('button', 1);
  const elapsed = performance.now() - start;
  await board.close();
  if (lamp !== 1) throw new Error(`the press did not light the lamp: ${JSON.stringify(await board.health())}`);
  return elapsed;
}

const times = { cold: [] as number[], warm: [] as number[], warmAfterGc: [] as number[], unikernel: [] as number[], choose: [] as number[], stateWrite: [] as number[] };
const warmup = 50;
for (let i = 0; i < warmup + runs; i++) {
  clearCompiledModules();
  gc();
  const cold = await boot(dir);
  gc();
  const warmAfterGc = await boot(dir);
  if (i >= warmup) {
    times.cold.push(cold);
    times.warmAfterGc.push(warmAfterGc);
  }
}
// Warm boots in a series of their own, as a board boots again in a running shim: no forced
// collection between them (one flushes the shim's own compiled JavaScript as well).
for (let i = 0; i < warmup + runs; i++) {
  const warm = await boot(dir);
  if (i >= warmup) times.warm.push(warm);
}
// Where the time goes: the unikernel alone (linked, instantiated, _initialize and start run, the
// press handled; warm, with no driver: its devices' levels in memory); the slot choice alone
// (board.json, the trust root, state.json and both slots read, the signature and digests
// checked); and one state.json write, as a first boot or a changed decision makes.
const choice = await chooseSlot(dir);
const limits = boardsById.get(choice.identity.type)?.limits;
if (choice.slot === null || limits === undefined) throw new Error(`${dir} does not boot`);
for (let i = 0; i < warmup + runs; i++) {
  let lamp = 0;
  const start = performance.now();
  const watchdog = new Watchdog({
    config: choice.slot.config,
    modules: choice.slot.modules,
    limits,
    onOutput: (device, level) => {
      if (device === 'lamp') lamp = level;
    },
  });
  watchdog.start();
  watchdog.input('button', 1);
  const elapsed = performance.now() - start;
  await watchdog.close();
  if (lamp !== 1) throw new Error(`the press did not light the lamp: ${JSON.stringify(watchdog.health())}`);
  if (i >= warmup) times.unikernel.push(elapsed);
}
for (let i = 0; i < 200; i++) {
  let start = performance.now();
  await chooseSlot(dir);
  times.choose.push(performance.now() - start);
  const state = readBoardState(dir);
  start = performance.now();
  await writeBoardState(dir, state);
  times.stateWrite.push(performance.now() - start);
}
process.stdout.write(JSON.stringify(times));
