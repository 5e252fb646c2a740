import fs, { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotSources } from './snapshotSources.js';

let root: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-snapshot-'));
  mkdirSync(join(root, 'apps', 'lights', 'assembly'), { recursive: true });
  mkdirSync(join(root, '.osmose', 'keys'), { recursive: true });
  writeFileSync(join(root, 'building.yaml'), 'osmose: 1\n');
  writeFileSync(join(root, 'apps', 'lights', 'assembly', 'index.ts'), 'export function a(): void {}\n');
  writeFileSync(join(root, '.osmose', 'keys', 'root.pem'), 'secret');
  await git.init({ fs, dir: root, defaultBranch: 'main' });
  await git.add({ fs, dir: root, filepath: ['building.yaml', 'apps'] });
  await git.commit({ fs, dir: root, message: 'first', author: { name: 't', email: 't@t' } });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('snapshotSources', () => {
  it('reads the repository but not git, private state or dependencies', async () => {
    const snapshot = await snapshotSources(root);
    expect([...snapshot.files.keys()]).toEqual(['apps/lights/assembly/index.ts', 'building.yaml']);
    expect(snapshot.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(snapshot.uncommitted).toEqual([]);
  });

  it('keys on content: the same files give the same key, one edit a new one', async () => {
    const before = await snapshotSources(root);
    expect((await snapshotSources(root)).key).toBe(before.key);
    writeFileSync(join(root, '.osmose', 'keys', 'targets.pem'), 'not an input');
    expect((await snapshotSources(root)).key).toBe(before.key);
    writeFileSync(join(root, 'apps', 'lights', 'assembly', 'index.ts'), 'export function b(): void {}\n');
    const after = await snapshotSources(root);
    expect(after.key).not.toBe(before.key);
    expect(after.uncommitted).toEqual(['apps/lights/assembly/index.ts']);
  });
});
