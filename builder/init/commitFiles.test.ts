import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { commitFiles } from './commitFiles.js';

const run = promisify(execFile);
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-commit-'));
  temps.push(dir);
  return dir;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const { stdout } = await run('git', args, { cwd: dir, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  return stdout.trim();
}

const author = { name: 'Test Author', email: 'test@example.org' };

describe('commitFiles', () => {
  it('makes a repository on main and commits only the paths given', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a.txt'), 'a\n');
    await writeFile(join(dir, 'sub/b.txt'), 'b\n');
    await writeFile(join(dir, 'private.txt'), 'secret\n');

    const { commit, branch } = await commitFiles(dir, ['a.txt', 'sub/b.txt'], author, 'First\n');
    expect(branch).toBe('main');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(commit);
    expect(await git(dir, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect((await git(dir, 'ls-files')).split('\n')).toEqual(['a.txt', 'sub/b.txt']);
    expect(await git(dir, 'log', '--format=%an <%ae> %s')).toBe('Test Author <test@example.org> First');
    await git(dir, 'fsck', '--strict');
  });

  it('adds a commit on the current branch of a repository that exists', async () => {
    const dir = await tempDir();
    await git(dir, 'init', '--quiet', '--initial-branch=trunk');
    await writeFile(join(dir, 'old.txt'), 'old\n');
    await git(dir, 'add', 'old.txt');
    await git(dir, '-c', 'user.name=x', '-c', 'user.email=x@example.org', 'commit', '--quiet', '-m', 'Before');
    await writeFile(join(dir, 'new.txt'), 'new\n');

    const { branch } = await commitFiles(dir, ['new.txt'], author, 'After\n');
    expect(branch).toBe('trunk');
    expect((await git(dir, 'log', '--format=%s')).split('\n')).toEqual(['After', 'Before']);
    expect((await git(dir, 'ls-files')).split('\n')).toEqual(['new.txt', 'old.txt']);
    await git(dir, 'fsck', '--strict');
  });
});
