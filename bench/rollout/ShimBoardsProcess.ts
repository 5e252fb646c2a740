import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Kill } from './ShimBoard.js';
import type { ShimBoardsConfig, ShimBoardsMessage, ShimBoardsStatus } from './shimBoards.js';

/** The faulted boards, each a shim process, under their supervisor process (shimBoards.ts). */
export class ShimBoardsProcess {
  readonly #child: ChildProcess;
  readonly #kills: Kill[] = [];
  readonly #waiting: ((status: ShimBoardsStatus) => void)[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: ShimBoardsMessage) => {
      if (message.kind === 'kill') this.#kills.push(message.kill);
      else this.#waiting.shift()?.(message);
    });
  }

  /** Forks the supervisor, which starts every board's shim at once. */
  static start(config: ShimBoardsConfig): ShimBoardsProcess {
    return new ShimBoardsProcess(fork(fileURLToPath(new URL('./shimBoards.js', import.meta.url)), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /** The kills so far, in the order they came. */
  get kills(): readonly Kill[] {
    return this.#kills;
  }

  status(): Promise<ShimBoardsStatus> {
    return this.#ask({ kind: 'status' });
  }

  /** No more kills: the boards run on unfaulted. */
  disarm(): void {
    this.#child.send({ kind: 'disarm' });
  }

  /** Stops every shim (SIGINT, as an operator would) and the supervisor; answers the last status. */
  async stop(): Promise<ShimBoardsStatus | undefined> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return undefined;
    const exited = once(this.#child, 'exit');
    const last = await this.#ask({ kind: 'stop' });
    await exited;
    return last;
  }

  #ask(message: { readonly kind: string }): Promise<ShimBoardsStatus> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.send(message);
    });
  }
}
