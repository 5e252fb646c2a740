import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFiles, type DownloadOptions } from './downloadFiles.js';

// What downloadFiles decides before it dials the gateway. The downloads themselves, against the
// gateway's file server over mutual TLS and a cutting proxy, are in test/download.e2e.test.ts.
let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-download-unit-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

/** A gateway nobody listens on: any attempt to reach it would fail the test with download.unreachable. */
const nowhere = { host: '127.0.0.1', port: 9, tls: { key: '', cert: '', ca: '' } };
const empty = createHash('sha256').update(new Uint8Array(0)).digest('hex');

describe('downloadFiles before the network', () => {
  it('names every bad option at once', async () => {
    const options = {
      dir: join(parent, 'bad'),
      board: '../other',
      connect: { ...nowhere, port: 70_000 },
      files: [
        { name: '../state.json', sha256: empty, length: 0 },
        { name: 'config.json', sha256: 'ABC', length: -1 },
        { name: 'config.json', sha256: empty, length: 0 },
      ],
      retries: 1.5,
    } satisfies DownloadOptions;
    const error = await downloadFiles(options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'OsmoseError', code: 'download.bad-options' });
    expect((error as { data: { problems: string[] } }).data.problems.map((problem) => problem.split(':')[0])).toEqual([
      'board',
      'connect.port',
      'files[0].name',
      'files[1].sha256',
      'files[1].length',
      'files[2].name',
      'retries',
    ]);
  });

  it('has nothing to fetch for an empty file, and makes it without a request', async () => {
    const dir = join(parent, 'empty');
    const result = await downloadFiles({ dir, board: 'meeting-1-door', connect: nowhere, files: [{ name: 'empty.json', sha256: empty, length: 0 }], retries: 0 });
    expect(result).toEqual({ downloaded: 0, fetched: ['empty.json'], reused: [], skipped: [] });
    expect(await readdir(dir)).toEqual(['empty.json']);
    expect((await readFile(join(dir, 'empty.json'))).length).toBe(0);
  });

  it('does not dial when the stop came first', async () => {
    const stop = new AbortController();
    stop.abort();
    const files = [{ name: 'config.json', sha256: empty.replace(/^./, '0'), length: 10 }];
    await expect(downloadFiles({ dir: join(parent, 'stopped'), board: 'meeting-1-door', connect: nowhere, files, signal: stop.signal })).rejects.toMatchObject({ code: 'download.aborted', data: { file: 'config.json', gateway: '127.0.0.1:9' } });
  });
});
