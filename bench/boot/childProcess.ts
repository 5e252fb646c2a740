import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

/** Runs a Node.js script to its end and answers what it printed (it prints JSON). */
export function runNode(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

/** Milliseconds from starting a Node.js process until it has printed `marker`; waits for its exit too. */
export function timeToOutput(args: readonly string[], marker: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let elapsed: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (elapsed === undefined && out.includes(marker)) elapsed = performance.now() - start;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && elapsed !== undefined ? resolve(elapsed) : reject(new Error(`node ${args.join(' ')} exited with ${code} without printing ${marker}`))));
  });
}

/**
 * Starts a Node.js process, waits until it has printed `ready` and then a moment more, reads
 * its resident set size (VmRSS, Linux) in bytes, and stops it with SIGINT.
 */
export function residentSize(args: readonly string[], ready: RegExp, settleMs = 500): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let rss: number | undefined;
    let failure: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const seen = ready.test(out);
      out += chunk;
      if (seen || !ready.test(out)) return;
      setTimeout(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8')
          .then((status) => {
            const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
            if (kib === undefined) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
            rss = Number(kib) * 1024;
          })
          .catch((error: unknown) => {
            failure = error instanceof Error ? error : new Error(String(error));
          })
          .finally(() => {
            child.kill('SIGINT');
            // The shim stops on SIGINT; one that does not is a finding, not a hang of the bench.
            setTimeout(() => {
              if (child.exitCode !== null || child.signalCode !== null) return;
              failure = new Error(`node ${args.join(' ')} did not stop on SIGINT`);
              rss = undefined;
              child.kill('SIGKILL');
            }, 5_000).unref();
          });
      }, settleMs);
    });
    child.on('error', reject);
    child.on('close', () => (rss === undefined ? reject(failure ?? new Error(`node ${args.join(' ')} ended before printing ${String(ready)}; it printed: ${out}`)) : resolve(rss)));
  });
}
