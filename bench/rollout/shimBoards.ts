import { processCpu } from './cpuTime.js';
import { ShimBoard, type Fault, type Kill } from './ShimBoard.js';

// The faulted boards' supervisor for bench/rollout: `node shimBoards.js CONFIG_JSON`, forked with
// an IPC channel. It starts a shim process per board, kills each at its fault and starts it
// again, and tells the bench what happened. It is a process of its own because starting a
// process from the gateway's (whose address space the compiler and a thousand boards' worth of
// state have grown) stops that process for hundreds of milliseconds a start: the gateway would
// be measured frozen by the bench's own faults.

export interface ShimBoardsConfig {
  /** The shim bundle (image/bundleShim.ts). */
  readonly bundle: string;
  readonly gateway: { readonly host: string; readonly port: number };
  readonly boards: readonly { readonly board: string; readonly dir: string; readonly fault: Fault }[];
}

/** Where the faulted boards stand, as the supervisor answers `status`. */
export interface ShimBoardsStatus {
  readonly kind: 'status';
  /** The shims' resident set sizes, in bytes, summed (the supervisor's own left out). */
  readonly rss: number;
  /** CPU seconds the shims have used, those killed included (the supervisor's own left out). */
  readonly cpu: number;
  /** How many times each board's shim was started: 1, or 2 once it came back from its kill. */
  readonly starts: Readonly<Record<string, number>>;
  /** Exits the supervisor did not cause, by board, with the end of what the shim said. */
  readonly unexpected: Readonly<Record<string, readonly string[]>>;
}

export type ShimBoardsMessage = { readonly kind: 'kill'; readonly kill: Kill } | ShimBoardsStatus;

const config = JSON.parse(process.argv[2] ?? '{}') as ShimBoardsConfig;
const send = (message: ShimBoardsMessage): void => {
  process.send?.(message);
};
const shims = config.boards.map(({ board, dir, fault }) => new ShimBoard(board, dir, { bundle: config.bundle, gateway: config.gateway, fault, onKill: (kill) => send({ kind: 'kill', kill }) }));

async function status(): Promise<ShimBoardsStatus> {
  const sizes = await Promise.all(shims.map((shim) => shim.rss()));
  const running = await Promise.all(shims.map((shim) => shim.cpu()));
  // A shim killed and waited for adds its time to the supervisor's children's.
  const gone = (await processCpu(process.pid))?.children ?? 0;
  return {
    kind: 'status',
    rss: sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0),
    cpu: running.reduce<number>((sum, cpu) => sum + (cpu ?? 0), gone),
    starts: Object.fromEntries(shims.map((shim) => [shim.board, shim.starts])),
    unexpected: Object.fromEntries(shims.filter((shim) => shim.unexpectedExits.length > 0).map((shim) => [shim.board, shim.unexpectedExits])),
  };
}

let stopping = false;
async function stop(): Promise<void> {
  stopping = true;
  await Promise.all(shims.map((shim) => shim.stop()));
}
// The bench gone, its boards go too: stray shims would hold the machine's two cores.
process.on('disconnect', () => {
  if (!stopping) void stop().then(() => process.exit(1));
});
process.on('message', (message: { readonly kind?: string }) => {
  switch (message.kind) {
    case 'status':
      void status().then(send);
      break;
    case 'disarm':
      for (const shim of shims) shim.disarm();
      break;
    case 'stop':
      void stop()
        .then(status)
        .then((last) => process.send?.(last, () => process.exit(0)));
      break;
  }
});
for (const shim of shims) shim.start();
