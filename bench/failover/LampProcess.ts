import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A board run as a real board runs, for bench/failover: its own process of the shim bundle,
 * `node boot.mjs DIR --gateway HOST:PORT`, under its update agent. Its death is a SIGKILL: the
 * kernel closes its connection, and nothing of the board says goodbye.
 */
export class LampProcess {
  readonly board: string;
  readonly #child: ChildProcess;
  #tail: string[] = [];

  private constructor(board: string, child: ChildProcess) {
    this.board = board;
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.#tail = [...this.#tail, ...text.split('\n').filter((line) => line !== '')].slice(-5);
    });
  }

  static start(bundle: string, board: string, dir: string, gateway: { readonly host: string; readonly port: number }): LampProcess {
    return new LampProcess(board, spawn(process.execPath, [bundle, dir, '--gateway', `${gateway.host}:${gateway.port}`], { stdio: ['ignore', 'ignore', 'pipe'] }));
  }

  /** The end of what the shim said, for a report when it did not come up. */
  get tail(): readonly string[] {
    return this.#tail;
  }

  /** SIGKILL, now; resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGKILL');
    await exited;
  }
}
