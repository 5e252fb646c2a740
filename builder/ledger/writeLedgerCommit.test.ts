import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBlobId } from './gitBlobId.js';
import { ledgerRef } from './ledgerRef.js';
import { readLedgerTree } from './readLedgerTree.js';
import { writeLedgerCommit } from './writeLedgerCommit.js';

let root: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-ledger-'));
  await git.init({ fs, dir: root, defaultBranch: 'main' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const author = { name: 'osmose builder', email: 'builder@osmose.invalid' };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });

describe('writeLedgerCommit', () => {
  it('records nested files as a commit on the ledger ref that system git accepts', async () => {
    const files = new Map([
      ['build.json', bytes('{"n":1}\n')],
      ['boards/a/manifest.json', bytes('{"board":"a"}\n')],
      ['boards/b/manifest.json', bytes('{"board":"b"}\n')],
      ['artifacts/wasm/x.wasm', bytes('\0asm')],
    ]);
    const result = await writeLedgerCommit({ root, files, message: 'Build 1\n', author, timestamp: 1_700_000_000 });
    expect(result.created).toBe(true);
    expect(gitOut('rev-parse', ledgerRef).trim()).toBe(result.commit);
    expect(gitOut('ls-tree', '-r', '--name-only', ledgerRef).trim().split('\n')).toEqual([
      'artifacts/wasm/x.wasm',
      'boards/a/manifest.json',
      'boards/b/manifest.json',
      'build.json',
    ]);
    expect(gitOut('show', `${ledgerRef}:boards/b/manifest.json`)).toBe('{"board":"b"}\n');
    gitOut('fsck', '--strict');
    // The operator's branches are untouched: the ledger has a ref of its own.
    expect(() => gitOut('rev-parse', '--verify', '--quiet', 'refs/heads/main')).toThrow();
  });

  it('makes no commit when nothing changed, and names what did change otherwise', async () => {
    const first = new Map([['boards/a/manifest.json', bytes('1')], ['boards/b/manifest.json', bytes('1')]]);
    const one = await writeLedgerCommit({ root, files: first, message: 'one', author, timestamp: 1 });
    const again = await writeLedgerCommit({ root, files: new Map(first), message: 'again', author, timestamp: 2 });
    expect(again).toEqual({ commit: one.commit, created: false, changedPaths: [] });

    const second = new Map([['boards/a/manifest.json', bytes('2')], ['boards/c/manifest.json', bytes('1')]]);
    const two = await writeLedgerCommit({ root, files: second, message: 'two', author, timestamp: 3 });
    expect(two.created).toBe(true);
    expect(two.changedPaths).toEqual(['boards/a/manifest.json', 'boards/b/manifest.json', 'boards/c/manifest.json']);
    expect(gitOut('log', '--format=%s', ledgerRef).trim().split('\n')).toEqual(['two', 'one']);
    gitOut('fsck', '--strict');
  });

  it('stores identical content once', async () => {
    const wasm = bytes('\0asm same module');
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 50; i++) files.set(`boards/b${i}/app.wasm`, wasm);
    await writeLedgerCommit({ root, files, message: 'dedup', author, timestamp: 1 });
    const tree = await readLedgerTree(root);
    expect(new Set(tree?.files.values())).toEqual(new Set([gitBlobId(wasm)]));
    expect(gitOut('cat-file', '-t', gitBlobId(wasm)).trim()).toBe('blob');
  });

  it('keeps a blob the ledger already holds by its id, without its bytes', async () => {
    const one = await writeLedgerCommit({ root, files: new Map([['a', bytes('kept')], ['b', bytes('1')]]), message: 'one', author, timestamp: 1 });
    const tree = await readLedgerTree(root, one.commit);
    const kept = { oid: tree?.files.get('a') ?? '' };
    const two = await writeLedgerCommit({ root, files: new Map<string, Uint8Array | { oid: string }>([['a', kept], ['b', bytes('2')]]), message: 'two', author, timestamp: 2 });
    expect(two.changedPaths).toEqual(['b']);
    expect(gitOut('show', `${ledgerRef}:a`)).toBe('kept');
  });

  it('leaves the ledger as it was when writing fails', async () => {
    const one = await writeLedgerCommit({ root, files: new Map([['a', bytes('1')]]), message: 'one', author, timestamp: 1 });
    const broken = new Map([['a', bytes('2')], ['a/b', bytes('a path that is both a file and a folder')]]);
    await expect(writeLedgerCommit({ root, files: broken, message: 'two', author, timestamp: 2 })).rejects.toThrow();
    expect(gitOut('rev-parse', ledgerRef).trim()).toBe(one.commit);
  });
});

describe('gitBlobId', () => {
  it('agrees with git hash-object', () => {
    const id = execFileSync('git', ['hash-object', '--stdin'], { input: 'hello\n', encoding: 'utf8' }).trim();
    expect(gitBlobId(bytes('hello\n'))).toBe(id);
  });
});
