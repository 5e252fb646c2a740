import { spawn } from 'node:child_process';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { needlesIn, type Needle } from './personNeedles.js';

/** An object that holds one or more needles. */
export interface ObjectHit {
  readonly oid: string;
  readonly type: string;
  readonly needles: readonly string[];
}

/**
 * Reads objects with system git (`git cat-file --batch`, which inflates loose and packed objects
 * alike) and answers those that hold a needle. Every object of the repository, or only `oids`.
 * Streamed: a building's ledger holds megabytes of WebAssembly, never all in memory at once.
 */
export async function scanObjects(root: string, needles: readonly Needle[], oids?: readonly string[]): Promise<{ readonly scanned: number; readonly hits: readonly ObjectHit[] }> {
  const args = oids === undefined ? ['cat-file', '--batch-all-objects', '--unordered', '--batch'] : ['cat-file', '--batch'];
  const hits: ObjectHit[] = [];
  let scanned = 0;
  let pending: Buffer = Buffer.alloc(0);
  // Chunks wait here until the object they belong to is whole: no copy per chunk of a big blob.
  let chunks: Buffer[] = [];
  let buffered = 0;
  let wanted = 1;
  const take = (): void => {
    for (;;) {
      const newline = pending.indexOf(0x0a);
      if (newline === -1) {
        wanted = pending.length + 1;
        return;
      }
      const header = pending.subarray(0, newline).toString('utf8').split(' ');
      if (header[1] === 'missing') {
        pending = pending.subarray(newline + 1);
        continue;
      }
      const size = Number(header[2]);
      if (header.length !== 3 || !Number.isInteger(size)) throw new OsmoseError('erase.git-output', `git cat-file said ${JSON.stringify(header.join(' '))}, not "<oid> <type> <size>"`, { data: {} });
      if (pending.length < newline + 1 + size + 1) {
        wanted = newline + 1 + size + 1;
        return;
      }
      const content = pending.subarray(newline + 1, newline + 1 + size);
      scanned++;
      const found = needlesIn(content, needles);
      if (found.length > 0) hits.push({ oid: header[0] ?? '', type: header[1] ?? '', needles: found });
      pending = pending.subarray(newline + 1 + size + 1);
    }
  };
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['-C', root, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < wanted) return;
      pending = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      try {
        take();
        chunks = pending.length === 0 ? [] : [pending];
        buffered = pending.length;
      } catch (error) {
        child.kill();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new OsmoseError('tool.failed', `git ${args.join(' ')} failed: ${stderr.trim()}`, { data: { args } }));
      else if (buffered !== 0) reject(new OsmoseError('erase.git-output', `git cat-file ended in the middle of an object`, { data: {} }));
      else resolve();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(oids === undefined ? '' : oids.map((oid) => `${oid}\n`).join(''));
  });
  return { scanned, hits };
}

/** How many objects the repository holds, loose and packed. */
export async function countObjects(root: string): Promise<number> {
  const listing = await git(root, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']);
  return listing.split('\n').filter((line) => line !== '').length;
}

/** Runs system git in the repository and answers its stdout; a failure is `tool.failed` with git's own words. */
export function git(root: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', root, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new OsmoseError('tool.missing', 'git is not installed', { hint: 'apt-get install git', data: { tool: 'git' } }) : error),
    );
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new OsmoseError('tool.failed', `git ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' / ')}`, { data: { tool: 'git', args: [...args] } }));
    });
    // git may answer (or fail) before it reads all it was given: its exit status says which.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
