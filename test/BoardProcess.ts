import { onLines } from './onLines.js';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** One step of the update agent, as `osmose boot --json` prints it. */
export interface AgentStep {
  readonly agentState: string;
  readonly on: string;
}

export interface BoardExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BoardProcessOptions {
  /**
   * The shim a board runs: the bundle image/bundleShim.ts makes (boot.mjs, `osmose boot`
   * without the builder, as a board's image carries it).
   */
  readonly shim: string;
  readonly dir: string;
  readonly gateway: { readonly host: string; readonly port: number };
}

/**
 * A board in its own process, under its update agent (`node boot.mjs DIR --gateway HOST:PORT
 * --json`), whose agent steps are read off its output as they happen, so a test can kill it
 * (SIGKILL: a power cut) in any of them.
 */
export class BoardProcess {
  readonly steps: AgentStep[] = [];
  readonly exited: Promise<BoardExit>;
  #stderr = '';
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #watchers = new Set<(step: AgentStep) => void>();

  private constructor({ shim, dir, gateway }: BoardProcessOptions) {
    this.#child = spawn(process.execPath, [shim, dir, '--gateway', `${gateway.host}:${gateway.port}`, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    onLines(this.#child.stdout, (line) => {
      if (!line.startsWith('{"agentState"')) return;
      const step = JSON.parse(line) as AgentStep;
      this.steps.push(step);
      for (const watch of this.#watchers) watch(step);
    });
  }

  static start(options: BoardProcessOptions): BoardProcess {
    return new BoardProcess(options);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Whether the process is still running (it has not exited, nor been killed). */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** What the shim wrote on stderr: its update reports and any error. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Calls `watch` with every step from now on. */
  onStep(watch: (step: AgentStep) => void): void {
    this.#watchers.add(watch);
  }

  /** Resolves with the first step (seen already or to come) that `match` accepts; rejects if the board exits first. */
  step(match: (step: AgentStep) => boolean): Promise<AgentStep> {
    const seen = this.steps.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const watch = (step: AgentStep): void => {
        if (!match(step)) return;
        this.#watchers.delete(watch);
        resolve(step);
      };
      this.#watchers.add(watch);
      void this.exited.then((exit) => {
        if (!this.#watchers.delete(watch)) return;
        reject(new Error(`the board exited (${exit.signal ?? exit.code}) before the step awaited; it printed:\n${this.#stderr}`));
      });
    });
  }

  /** Sends `signal` unless the process has exited. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** Stops the board the way its operator would (SIGTERM), and waits for it. */
  async stop(): Promise<BoardExit> {
    this.kill('SIGTERM');
    return this.exited;
  }
}
