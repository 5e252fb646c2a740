import { execFile } from 'node:child_process';
import { OsmoseError } from './OsmoseError.js';

/** The Debian package that provides each system tool osmose runs, for the error's hint. */
const packages: Readonly<Record<string, string>> = {
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  mke2fs: 'e2fsprogs',
  debugfs: 'e2fsprogs',
};

/**
 * Runs a system tool and answers its stdout. A missing tool is `tool.missing` (with the
 * package to install); a failure is `tool.failed` with the tool's own words.
 */
export function runTool(tool: string, args: readonly string[], options: { readonly env?: NodeJS.ProcessEnv; readonly input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(tool, args, { env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new OsmoseError('tool.missing', `${tool} is not installed`, { hint: `apt-get install ${packages[tool] ?? tool} (make test and make demo install it)`, data: { tool } }));
      }
      reject(new OsmoseError('tool.failed', `${tool} failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' / ')}`, { data: { tool, args: [...args] } }));
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
