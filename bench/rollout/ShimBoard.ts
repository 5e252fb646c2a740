import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { processCpu } from './cpuTime.js';
import { processRss } from './processRss.js';

/** The update steps a shim reports on stderr (`osmose boot: update <step>`) that a fault can follow. */
export type FaultStep = 'downloading' | 'downloaded' | 'installed';

/** When a faulted board is killed: `delayMs` after it reports `after`, and how long it stays off. */
export interface Fault {
  readonly after: FaultStep;
  readonly delayMs: number;
  readonly outageMs: number;
}

/** A kill as it happened. */
export interface Kill {
  readonly board: string;
  readonly fault: Fault;
  /** The last update step the board had reported when the kill came: where it really was. */
  readonly lastReported: string;
  readonly at: number;
}

export interface ShimBoardOptions {
  /** The shim bundle (image/bundleShim.ts). */
  readonly bundle: string;
  readonly gateway: { readonly host: string; readonly port: number };
  readonly fault: Fault;
  readonly onKill?: (kill: Kill) => void;
}

/**
 * A board run as a real board runs: its own process of the shim bundle, `node boot.mjs DIR
 * --gateway HOST:PORT`, the update agent included. Its fault is a real kill: SIGKILL once the
 * board has reported the fault's step and its delay has passed, wherever its code then is
 * (writing a file, verifying, switching slots, booting). Its directory is left as the kill left
 * it, and after the outage the same command is started on it again, as power coming back.
 */
export class ShimBoard {
  readonly board: string;
  readonly dir: string;
  readonly #o: ShimBoardOptions;
  #child: ChildProcess | undefined;
  #lastReported = 'none';
  #kill: Kill | undefined;
  #armed = false;
  #disarmed = false;
  #stopping = false;
  #starts = 0;
  readonly #unexpected: string[] = [];
  #stderrTail: string[] = [];

  constructor(board: string, dir: string, options: ShimBoardOptions) {
    this.board = board;
    this.dir = dir;
    this.#o = options;
  }

  get kill(): Kill | undefined {
    return this.#kill;
  }

  /** Times the shim was started: 1, or 2 once it has come back from its kill. */
  get starts(): number {
    return this.#starts;
  }

  /** Exits the bench did not cause, with the end of what the shim said. */
  get unexpectedExits(): readonly string[] {
    return this.#unexpected;
  }

  start(): void {
    this.#starts++;
    const child = spawn(process.execPath, [this.#o.bundle, this.dir, '--json', '--gateway', `${this.#o.gateway.host}:${this.#o.gateway.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#stderrTail = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => this.#line(line));
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#stopping) return;
      if (signal === 'SIGKILL' && this.#kill !== undefined && this.#starts === 1) {
        setTimeout(() => {
          if (!this.#stopping) this.start();
        }, this.#o.fault.outageMs);
        return;
      }
      this.#unexpected.push(`exited (${signal ?? code}): ${this.#stderrTail.join(' | ')}`);
    });
  }

  /** No kill from now on (one not yet due is called off): the board runs on unfaulted. */
  disarm(): void {
    this.#disarmed = true;
  }

  /** Resident set size of the shim process in bytes, now. */
  rss(): Promise<number | undefined> {
    const pid = this.#child?.pid;
    return pid === undefined ? Promise.resolve(undefined) : processRss(pid);
  }

  /** CPU seconds the running shim process has used. */
  async cpu(): Promise<number | undefined> {
    const pid = this.#child?.pid;
    return pid === undefined ? undefined : (await processCpu(pid))?.own;
  }

  /** Stops the shim as an operator would (SIGINT: the agent closes, the unikernel stops). */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  #line(line: string): void {
    this.#stderrTail = [...this.#stderrTail.slice(-4), line];
    const step = /^osmose boot: update (\w[\w-]*)/.exec(line)?.[1];
    if (step === undefined) return;
    this.#lastReported = step;
    if (step !== this.#o.fault.after || this.#armed || this.#disarmed) return;
    this.#armed = true;
    setTimeout(() => {
      const child = this.#child;
      if (child === undefined || this.#stopping || this.#disarmed) return;
      this.#kill = { board: this.board, fault: this.#o.fault, lastReported: this.#lastReported, at: performance.now() };
      child.kill('SIGKILL');
      this.#o.onKill?.(this.#kill);
    }, this.#o.fault.delayMs);
  }
}
