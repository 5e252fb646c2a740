import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A real pseudo-terminal pair joined by socat: what is written on `a` is read on `b`. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

/**
 * Starts `socat` joining two raw ptys and resolves once both links exist. The test harness
 * for serial backends that need a real tty (serialport); socat must be installed.
 */
export async function socatPtyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (error) => (failed = error));
  // Polls for the links; the test's own timeout bounds this, nothing asserts on how long it took.
  for (;;) {
    if (failed !== undefined) throw failed;
    if (child.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
    const both = await Promise.all([stat(a).then(() => true, () => false), stat(b).then(() => true, () => false)]);
    if (both.every(Boolean)) break;
    await sleep(5);
  }
  return {
    a,
    b,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
