import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repo = join(import.meta.dirname, '..');
const main = join(repo, 'dist', 'cli', 'main.js');

/** `osmose sim --json` running in a process of its own, as a user runs it from a shell. */
export interface RunningSimulator {
  readonly child: ChildProcess;
  /** Every JSON line it printed so far, in order. */
  readonly events: Record<string, unknown>[];
  /** Everything it printed so far, standard output and error. */
  output(): string;
  /** Interrupts it (Ctrl-C) and waits for it to exit; nothing when it has exited already. */
  stop(): Promise<void>;
}

/**
 * Starts the built program's simulator on `root` with `args` after `sim` (such as `--listen
 * 127.0.0.1:0`), and resolves once it says its boards are running. Builds dist/ first when it
 * is missing.
 */
export async function startSimulator(root: string, args: readonly string[] = []): Promise<RunningSimulator> {
  if (!existsSync(main)) execFileSync('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'ignore' });
  const child = spawn(process.execPath, [main, '-C', root, 'sim', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`osmose sim exited with ${code} before it ran: ${output}`)));
    lines.on('line', (line) => {
      output += `${line}\n`;
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      if (event['event'] === 'running') resolve();
    });
  });
  return {
    child,
    events,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
