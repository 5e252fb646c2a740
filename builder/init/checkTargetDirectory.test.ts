import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTargetDirectory } from './checkTargetDirectory.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-target-'));
  temps.push(dir);
  return dir;
}

describe('checkTargetDirectory', () => {
  it('accepts a folder that does not exist yet, or an empty one, and creates nothing', async () => {
    const dir = await tempDir();
    await expect(checkTargetDirectory(join(dir, 'a', 'b'), false)).resolves.toEqual({ exists: false });
    await expect(checkTargetDirectory(dir, false)).resolves.toEqual({ exists: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a folder that is not empty unless forced; a lone .git counts', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.git'));
    await expect(checkTargetDirectory(dir, false)).rejects.toMatchObject({ code: 'init.not-empty', data: { entries: ['.git'] } });
    await expect(checkTargetDirectory(dir, true)).resolves.toEqual({ exists: true });
  });

  it('refuses a file, and a path below a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'f'), '');
    await expect(checkTargetDirectory(join(dir, 'f'), true)).rejects.toMatchObject({ code: 'init.not-a-directory' });
    await expect(checkTargetDirectory(join(dir, 'f', 'g', 'h'), true)).rejects.toMatchObject({
      code: 'init.not-a-directory',
      data: { file: join(dir, 'f') },
    });
  });
});
