import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { processCpu } from './cpuTime.js';
import { processRss } from './processRss.js';
import type { SimBoardsConfig, SimBoardsReady } from './simBoards.js';

/** A child process holding many simulated boards under their agents (simBoards.ts). */
export class SimBoardsProcess {
  readonly #child: ChildProcess;
  readonly ready: SimBoardsReady;

  private constructor(child: ChildProcess, ready: SimBoardsReady) {
    this.#child = child;
    this.ready = ready;
  }

  /** Forks the process and resolves once every board of its share has booted. */
  static async start(config: SimBoardsConfig): Promise<SimBoardsProcess> {
    const child = fork(fileURLToPath(new URL('./simBoards.js', import.meta.url)), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<SimBoardsReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as SimBoardsReady));
      child.once('exit', (code, signal) => reject(new Error(`a boards process exited (${signal ?? code}) before its ${config.boards.length} boards were up`)));
    });
    return new SimBoardsProcess(child, ready);
  }

  /** Resident set size in bytes, now. */
  rss(): Promise<number | undefined> {
    return this.#child.pid === undefined ? Promise.resolve(undefined) : processRss(this.#child.pid);
  }

  /** CPU seconds the process has used so far. */
  async cpu(): Promise<number | undefined> {
    return this.#child.pid === undefined ? undefined : (await processCpu(this.#child.pid))?.own;
  }

  /** Closes the boards (their agents and unikernels) and waits for the process to end. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.send({ kind: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
