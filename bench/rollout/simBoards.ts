import { SimBuilding } from '../../image/sim/SimBuilding.js';

// One process of many simulated boards for bench/rollout: `node simBoards.js CONFIG_JSON`,
// forked with an IPC channel. It boots its share of the building's boards, each under its
// update agent connected to the gateway, says `ready`, and closes them on `close`. Their
// directories and credentials were written beforehand (as an installer flashes boards before
// they are powered), so they are kept as they are.

/** What the bench tells a boards process, as its one argument. */
export interface SimBoardsConfig {
  readonly root: string;
  readonly boardsDir: string;
  readonly gateway: { readonly host: string; readonly port: number };
  readonly boards: readonly string[];
}

/** What a boards process tells the bench. */
export interface SimBoardsReady {
  readonly kind: 'ready';
  readonly boards: number;
  /** From the process's start to every board booted and its agent started. */
  readonly ms: number;
}

const started = performance.now();
const config = JSON.parse(process.argv[2] ?? '{}') as SimBoardsConfig;
const mine = new Set(config.boards);
let closing = false;
// The bench gone, the boards go too: a stray process would hold the machine's two cores.
process.on('disconnect', () => {
  if (!closing) process.exit(1);
});
const building = await SimBuilding.start(config.root, {
  boardsDir: config.boardsDir,
  only: (board) => mine.has(board),
  agents: { gateway: config.gateway, credentials: { many: () => Promise.resolve() } },
});
process.send?.({ kind: 'ready', boards: building.boardIds.length, ms: performance.now() - started } satisfies SimBoardsReady);
process.on('message', (message: { readonly kind?: string }) => {
  if (message.kind !== 'close' || closing) return;
  closing = true;
  void building.close().then(() => process.exit(0));
});
