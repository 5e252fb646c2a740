import { cp } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { bootBoard, type BootedBoard, type BootOptions } from '../../kernel-js/boot/bootBoard.js';
import { memoryDatagramNetwork } from '../../kernel-js/circuit/memoryDatagramNetwork.js';
import { memoryStreamAddresses } from '../../kernel-js/stream/memoryStreamAddresses.js';

// Run by benchBoot in a child process with --expose-gc, so nothing else lives in its heap:
// boots one board directory, then N − 1 more in the same process (copies of the board
// directories given, taken in turn, each in its own directory), and prints the memory in use
// after one board and after N, each after a full collection, as JSON. The boards' circuits run
// over in-process networks, as in the simulator: one network for each round of the boards given
// (a copy of a board has its circuit addresses, which two copies could not both bind on UDP).
const [workDir, countArg, ...sources] = process.argv.slice(2);
const count = Number(countArg);
const gc = globalThis.gc;
if (workDir === undefined || !Number.isInteger(count) || count < 2 || sources.length === 0 || gc === undefined) {
  throw new Error('usage: node --expose-gc measureBoards.js WORK_DIR N BOARD_DIR...');
}

const dirs: string[] = [];
for (let i = 0; i < count; i++) {
  const source = sources[i % sources.length] ?? '';
  const dir = join(workDir, `${i}-${basename(source)}`);
  await cp(source, dir, { recursive: true });
  dirs.push(dir);
}

const usage = async (): Promise<{ rss: number; heap: number }> => {
  // Twice, and a turn of the event loop between: finalizers run after the first.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  // external already counts arrayBuffers (wasm memories among them).
  return { rss, heap: heapUsed + external };
};

const networks: Pick<BootOptions, 'datagrams' | 'streamAddresses'>[] = [];
const networkOf = (index: number): Pick<BootOptions, 'datagrams' | 'streamAddresses'> => {
  const round = Math.floor(index / sources.length);
  if (networks[round] === undefined) {
    const datagrams = memoryDatagramNetwork();
    networks[round] = { datagrams: (address) => datagrams.port(address), streamAddresses: memoryStreamAddresses() };
  }
  return networks[round];
};

const booted: BootedBoard[] = [];
const boot = async (dir: string): Promise<void> => {
  const board = await bootBoard(dir, networkOf(dirs.indexOf(dir)));
  await board.settled;
  const health = await board.health();
  if (!health.unikernel.running) throw new Error(`${dir} did not start: ${JSON.stringify(health.unikernel.stops.at(-1))}`);
  booted.push(board);
};

const [first, ...rest] = dirs;
if (first === undefined) throw new Error('no board to boot');
await boot(first);
const one = await usage();
for (const dir of rest) await boot(dir);
const all = await usage();
for (const board of booted) await board.close();
process.stdout.write(JSON.stringify({ boards: count, one, all }));
