import { onLines } from './onLines.js';
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const repo = join(import.meta.dirname, '..');

/** The built program (dist/cli/main.js), built first if it is not there; `make test` builds it before the tests. */
export function cliMain(): string {
  const main = join(repo, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) execFileSync('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'ignore' });
  return main;
}

/**
 * A long-running `osmose` command in its own process (`osmose gateway --json`), whose JSON
 * lines on stdout are collected as they come, so a test can wait for one and then act (kill
 * the gateway mid-rollout).
 */
export class CliProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  #stderr = '';
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #watchers = new Set<() => void>();

  private constructor(args: readonly string[], cwd: string) {
    this.#child = spawn(process.execPath, [cliMain(), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    onLines(this.#child.stdout, (line) => {
      if (!line.startsWith('{')) return;
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        return;
      }
      for (const watch of this.#watchers) watch();
    });
  }

  static start(args: readonly string[], cwd: string): CliProcess {
    return new CliProcess(args, cwd);
  }

  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Resolves with the first JSON line (come already or to come) `match` accepts; rejects if the
   * process exits first, or after `timeoutMs`, with what it printed.
   */
  line(match: (line: Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const printed = (): string => [...this.lines.slice(-20).map((line) => JSON.stringify(line)), this.#stderr].join('\n');
      const timer = setTimeout(() => {
        if (this.#watchers.delete(check)) reject(new Error(`no line awaited came from osmose within ${timeoutMs} ms; its last lines and stderr:\n${printed()}`));
      }, timeoutMs);
      const check = (): void => {
        const found = this.lines.find(match);
        if (found === undefined) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      this.#watchers.add(check);
      check();
      void this.exited.then((exit) => {
        clearTimeout(timer);
        if (!this.#watchers.delete(check)) return;
        reject(new Error(`osmose exited (${exit.signal ?? exit.code}) before the line awaited; it printed:\n${printed()}`));
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
  }
}
