import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, connect as connectTcp, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFiles, type DownloadOptions, type DownloadProgress, type WantedFile } from '../kernel-js/agent/downloadFiles.js';
import { serveBoardFiles } from '../ota/gateway/serveBoardFiles.js';
import { makeTlsFixture, type TlsFixture, type TlsIdentity } from './tlsFixtures.js';

// The two ends of an over-the-air download, over real mutual TLS: the gateway's file server
// (ota/gateway/serveBoardFiles) and the board's downloader (kernel-js/agent/downloadFiles),
// with a TCP proxy between them that cuts the connection after a given number of bytes.
const board = 'meeting-1-door';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes that look like nothing in particular, the same on every run. */
function pseudoRandom(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const wasm = pseudoRandom(48 * 1024, 1);
const wasmName = `${sha256(wasm)}.wasm`;
const image = new Map<string, Uint8Array>([
  ['manifest.json', new TextEncoder().encode(JSON.stringify({ board, image: 'x'.repeat(200) }))],
  ['config.json', pseudoRandom(2500, 2)],
  [wasmName, wasm],
]);
const wanted = (name: string): WantedFile => {
  const bytes = image.get(name) ?? new Uint8Array(0);
  return { name, sha256: sha256(bytes), length: bytes.length };
};
const allFiles = [...image.keys()].map(wanted);

// What the gateway does, test by test.
interface GatewayLog {
  readonly path: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
}
const requests: GatewayLog[] = [];
/** Bytes the gateway serves instead of the real ones, under the real digest. */
const served = new Map<string, Uint8Array>();
/** Files whose next read has one byte flipped. */
const corruptOnce = new Set<string>();
let ignoreRanges = false;
let servedBytes = 0;

let tls: TlsFixture;
let door: TlsIdentity;
let gateway: Server;
let gatewayPort: number;
let proxy: CuttingProxy;
let dir: string;
let parent: string;

/**
 * A TCP proxy that passes bytes both ways and, for the next connection that has a budget,
 * ends the connection to the board once that many bytes have come from the gateway: the
 * network cut at a chosen byte, through TLS records and all.
 */
interface CuttingProxy {
  readonly port: number;
  /** Budgets for the next connections, in order; a connection without one is never cut. */
  readonly cuts: number[];
  /** Bytes passed from the gateway to the board, per connection. */
  readonly forwarded: number[];
  close(): Promise<void>;
}

async function startProxy(target: number): Promise<CuttingProxy> {
  const cuts: number[] = [];
  const forwarded: number[] = [];
  const server: TcpServer = createTcpServer((boardSide) => {
    const budget = cuts.shift();
    const index = forwarded.push(0) - 1;
    const gatewaySide = connectTcp(target, '127.0.0.1');
    boardSide.on('error', () => gatewaySide.destroy());
    gatewaySide.on('error', () => boardSide.destroy());
    boardSide.on('close', () => gatewaySide.destroy());
    boardSide.on('data', (chunk: Buffer) => {
      if (!gatewaySide.destroyed) gatewaySide.write(chunk);
    });
    gatewaySide.on('data', (chunk: Buffer) => {
      const room = budget === undefined ? chunk.length : budget - (forwarded[index] ?? 0);
      const take = chunk.subarray(0, Math.max(0, room));
      forwarded[index] = (forwarded[index] ?? 0) + take.length;
      if (take.length > 0) boardSide.write(take);
      if (budget !== undefined && (forwarded[index] ?? 0) >= budget) {
        gatewaySide.destroy();
        boardSide.end();
      }
    });
    gatewaySide.on('end', () => boardSide.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    cuts,
    forwarded,
    close: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}

function options(extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    dir,
    board,
    connect: { host: '127.0.0.1', port: gatewayPort, tls: { key: door.key, cert: door.cert, ca: tls.ca } },
    files: allFiles,
    retries: 3,
    backoffMs: 1,
    ...extra,
  };
}

/** Checks that progress never goes back within a file that was not started over, nor overall. */
function progressLog(): { readonly log: DownloadProgress[]; readonly onProgress: (p: DownloadProgress) => void } {
  const log: DownloadProgress[] = [];
  return { log, onProgress: (p) => log.push(p) };
}

async function expectImage(names: readonly string[]): Promise<void> {
  expect((await readdir(dir)).sort()).toEqual([...names].sort());
  for (const name of names) expect(sha256(await readFile(join(dir, name)))).toBe(wanted(name).sha256);
}

beforeAll(async () => {
  tls = await makeTlsFixture();
  door = await tls.client(board);
  const handler = serveBoardFiles({
    resolve: (who, name) => {
      const real = who === board ? image.get(name) : undefined;
      if (real === undefined) return Promise.resolve(undefined);
      const bytes = served.get(name) ?? real;
      return Promise.resolve({
        name,
        sha256: sha256(real),
        length: bytes.length,
        read: () => {
          if (!corruptOnce.delete(name)) return Promise.resolve(bytes);
          const flipped = Uint8Array.from(bytes);
          flipped[bytes.length >> 1] = (flipped[bytes.length >> 1] ?? 0) ^ 0x40;
          return Promise.resolve(flipped);
        },
      });
    },
    onServed: (_who, _name, bytes) => {
      servedBytes += bytes;
    },
    // Small writes, so that a cut at any byte lands in a different place of the file.
    chunkBytes: 1024,
  });
  gateway = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] }, (req, res) => {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    requests.push({ path: req.url ?? '', range: header('range'), ifRange: header('if-range') });
    if (ignoreRanges) delete req.headers.range;
    const cn = (req.socket as TLSSocket).getPeerCertificate().subject.CN;
    handler(req, res, typeof cn === 'string' ? cn : '');
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  gatewayPort = (gateway.address() as AddressInfo).port;
  proxy = await startProxy(gatewayPort);
  parent = await mkdtemp(join(tmpdir(), 'osmose-download-'));
});
afterAll(async () => {
  await proxy.close();
  gateway.closeAllConnections();
  gateway.close();
  await once(gateway, 'close');
  await rm(parent, { recursive: true, force: true });
});
let trial = 0;
beforeEach(() => {
  dir = join(parent, `staging-${++trial}`);
  requests.length = 0;
  served.clear();
  corruptOnce.clear();
  ignoreRanges = false;
  servedBytes = 0;
  proxy.cuts.length = 0;
});
afterEach(() => {
  gateway.closeIdleConnections();
});

describe('downloadFiles from serveBoardFiles', () => {
  it('downloads every file of an image, each once, with progress that only goes forward', async () => {
    const { log, onProgress } = progressLog();
    const result = await downloadFiles(options({ onProgress }));
    const total = allFiles.reduce((sum, file) => sum + file.length, 0);
    expect(result).toEqual({ downloaded: total, fetched: [...image.keys()], reused: [], skipped: [] });
    await expectImage([...image.keys()]);
    expect(requests.map((request) => [request.path, request.range])).toEqual([...image.keys()].map((name) => [`/boards/${board}/files/${name}`, undefined]));
    for (let i = 1; i < log.length; i++) {
      const [before, now] = [log[i - 1], log[i]];
      expect(now?.downloaded).toBeGreaterThanOrEqual(before?.downloaded ?? 0);
      if (now?.file === before?.file) expect(now?.bytes).toBeGreaterThanOrEqual(before?.bytes ?? 0);
    }
    expect(log.at(-1)).toEqual({ file: wasmName, bytes: wasm.length, total: wasm.length, downloaded: total });
    await expect.poll(() => servedBytes).toBe(total);
  });

  it('keeps files already complete and asks the gateway for nothing', async () => {
    await downloadFiles(options());
    requests.length = 0;
    const result = await downloadFiles(options());
    expect(result).toEqual({ downloaded: 0, fetched: [], reused: [], skipped: [...image.keys()] });
    expect(requests).toEqual([]);
  });

  it('copies what the board already has instead of downloading it, and only when it is right', async () => {
    const asked: string[] = [];
    const result = await downloadFiles(
      options({
        reuse: (file) => {
          asked.push(file.name);
          if (file.name === wasmName) return Promise.resolve(wasm);
          if (file.name === 'config.json') return Promise.resolve(pseudoRandom(2500, 3)); // the old config: other bytes
          return Promise.reject(new Error('slot unreadable'));
        },
      }),
    );
    expect(asked).toEqual([...image.keys()]);
    expect(result.reused).toEqual([wasmName]);
    expect(result.fetched).toEqual(['manifest.json', 'config.json']);
    expect(requests.map((request) => request.path)).not.toContain(`/boards/${board}/files/${wasmName}`);
    expect(result.downloaded).toBe(wanted('manifest.json').length + wanted('config.json').length);
    await expectImage([...image.keys()]);
  });

  it('resumes a .part left by an earlier run with a range tied to the digest', async () => {
    await mkdir(dir);
    await writeFile(join(dir, `${wasmName}.part`), wasm.subarray(0, 20_000));
    const result = await downloadFiles(options({ files: [wanted(wasmName)] }));
    expect(requests).toEqual([{ path: `/boards/${board}/files/${wasmName}`, range: 'bytes=20000-', ifRange: `"${sha256(wasm)}"` }]);
    expect(result.downloaded).toBe(wasm.length - 20_000);
    await expectImage([wasmName]);
  });

  it('starts over when the gateway answers a resume with the whole file', async () => {
    await mkdir(dir);
    await writeFile(join(dir, `${wasmName}.part`), wasm.subarray(0, 20_000));
    ignoreRanges = true;
    const result = await downloadFiles(options({ files: [wanted(wasmName)] }));
    expect(requests.map((request) => request.range)).toEqual(['bytes=20000-']);
    expect(result.downloaded).toBe(wasm.length);
    await expectImage([wasmName]);
  });

  it('refuses a resumed file whose start was not this file, and fetches it again from scratch', async () => {
    await mkdir(dir);
    await writeFile(join(dir, `${wasmName}.part`), pseudoRandom(20_000, 9));
    const result = await downloadFiles(options({ files: [wanted(wasmName)] }));
    expect(requests.map((request) => request.range)).toEqual(['bytes=20000-', undefined]);
    expect(result.downloaded).toBe(wasm.length - 20_000 + wasm.length);
    await expectImage([wasmName]);
  });

  it('refuses a corrupt body, deletes it and fetches the file again', async () => {
    corruptOnce.add(wasmName);
    const { log, onProgress } = progressLog();
    const result = await downloadFiles(options({ files: [wanted(wasmName)], onProgress }));
    expect(result).toMatchObject({ downloaded: 2 * wasm.length, fetched: [wasmName] });
    expect(requests.map((request) => request.range)).toEqual([undefined, undefined]);
    // The file started over once, at the refusal; bytes went back to zero there and only there.
    expect(log.filter((p, i) => i > 0 && p.bytes < (log[i - 1]?.bytes ?? 0))).toHaveLength(1);
    await expectImage([wasmName]);
  });

  it('gives up on a file that keeps arriving wrong, with the digests, the file and the gateway', async () => {
    served.set(wasmName, pseudoRandom(wasm.length, 4));
    const error = await downloadFiles(options({ files: [wanted(wasmName)], retries: 2 })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'OsmoseError',
      code: 'download.digest',
      data: { file: wasmName, gateway: `127.0.0.1:${gatewayPort}`, expected: { sha256: sha256(wasm), length: wasm.length }, actual: { sha256: sha256(pseudoRandom(wasm.length, 4)) }, attempts: 3 },
    });
    expect(requests).toHaveLength(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a body longer than the file without writing it', async () => {
    served.set(wasmName, Uint8Array.from([...wasm, ...pseudoRandom(100, 5)]));
    const { log, onProgress } = progressLog();
    const error = await downloadFiles(options({ files: [wanted(wasmName)], retries: 1, onProgress })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'download.digest', data: { expected: { length: wasm.length }, actual: { length: wasm.length + 100 }, attempts: 2 } });
    expect(log).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('cuts off a body that runs past the file when the gateway announced no length', async () => {
    // A gateway that streams without Content-Length: only the file's own length stops it.
    const liar = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (_req, res) => {
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      for (let at = 0; at < 4; at++) res.write(pseudoRandom(1000, 6 + at));
      res.end();
    });
    liar.listen(0, '127.0.0.1');
    await once(liar, 'listening');
    const port = (liar.address() as AddressInfo).port;
    const file = { name: 'config.json', sha256: sha256(pseudoRandom(2500, 6)), length: 2500 };
    const { log, onProgress } = progressLog();
    const error = await downloadFiles(options({ connect: { host: '127.0.0.1', port, tls: { key: door.key, cert: door.cert, ca: tls.ca } }, files: [file], retries: 0, onProgress })).catch((caught: unknown) => caught);
    liar.closeAllConnections();
    liar.close();
    expect(error).toMatchObject({ code: 'download.digest', data: { expected: { length: 2500 }, actual: { cutOff: true } } });
    expect(Math.max(...log.map((p) => p.bytes))).toBe(2500);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses at once what the gateway will not give: another board's files, a file it does not have", async () => {
    const other = await downloadFiles(options({ board: 'meeting-2-door' })).catch((caught: unknown) => caught);
    expect(other).toMatchObject({ code: 'download.refused', data: { status: 403, file: 'manifest.json', reply: { code: 'gateway.other-board' } } });
    expect(requests).toHaveLength(1);
    const missing = await downloadFiles(options({ files: [{ name: 'targets.json', sha256: sha256(new Uint8Array(1)), length: 1 }] })).catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ code: 'download.refused', data: { status: 404, file: 'targets.json', reply: { code: 'gateway.no-such-file' } } });
    expect(requests).toHaveLength(2);
  });

  it('trusts only a gateway whose certificate comes from the building CA', async () => {
    const stranger = await makeTlsFixture();
    const error = await downloadFiles(options({ connect: { host: '127.0.0.1', port: gatewayPort, tls: { key: door.key, cert: door.cert, ca: stranger.ca } } })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'download.untrusted', data: { gateway: `127.0.0.1:${gatewayPort}` } });
    expect(requests).toEqual([]);
  });

  it('gives up on a gateway that is not there after its retries, naming it', async () => {
    const closed = createTcpServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await downloadFiles(options({ connect: { host: '127.0.0.1', port, tls: { key: door.key, cert: door.cert, ca: tls.ca } }, retries: 2 })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'download.unreachable', data: { gateway: `127.0.0.1:${port}`, file: 'manifest.json', attempts: 3 } });
  });

  it('stops when told, keeping what arrived for the next run', async () => {
    const stop = new AbortController();
    const error = await downloadFiles(
      options({
        files: [wanted(wasmName)],
        signal: stop.signal,
        onProgress: (p) => {
          if (p.bytes >= 8192) stop.abort();
        },
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'download.aborted', data: { file: wasmName } });
    const kept = await readFile(join(dir, `${wasmName}.part`));
    expect(kept.length).toBeGreaterThanOrEqual(8192);
    expect(Buffer.compare(kept, Buffer.from(wasm.subarray(0, kept.length)))).toBe(0);
    const result = await downloadFiles(options({ files: [wanted(wasmName)] }));
    expect(result.downloaded).toBe(wasm.length - kept.length);
    await expectImage([wasmName]);
  });

  it('resumes after the connection is cut at any byte, never downloading a byte twice', async () => {
    const via = { host: '127.0.0.1', port: proxy.port, tls: { key: door.key, cert: door.cert, ca: tls.ca } };
    // How many bytes a whole download of the file takes on the wire, handshake included.
    await downloadFiles(options({ connect: via, files: [wanted(wasmName)] }));
    const wire = proxy.forwarded.at(-1) ?? 0;
    expect(wire).toBeGreaterThan(wasm.length);

    const resumedFrom = new Set<number>();
    const points = 48;
    for (let k = 1; k < points; k++) {
      const cut = Math.floor((wire * k) / points);
      dir = join(parent, `cut-${k}`);
      requests.length = 0;
      proxy.cuts.length = 0;
      proxy.cuts.push(cut);
      const { log, onProgress } = progressLog();
      const result = await downloadFiles(options({ connect: via, files: [wanted(wasmName)], onProgress }));
      expect([cut, result.downloaded, result.fetched]).toEqual([cut, wasm.length, [wasmName]]);
      await expectImage([wasmName]);
      for (let i = 1; i < log.length; i++) {
        expect(log[i]?.bytes).toBeGreaterThan(log[i - 1]?.bytes ?? 0);
        expect(log[i]?.downloaded).toBeGreaterThan(log[i - 1]?.downloaded ?? 0);
      }
      const resume = requests.map((request) => /^bytes=(\d+)-$/.exec(request.range ?? '')?.[1]).find((start) => start !== undefined);
      if (resume !== undefined) {
        expect(requests.at(-1)?.ifRange).toBe(`"${sha256(wasm)}"`);
        resumedFrom.add(Number(resume));
      }
    }
    // The cuts fell all across the file, and each resumed from where its bytes stopped.
    expect(resumedFrom.size).toBeGreaterThanOrEqual(30);
    expect(Math.min(...resumedFrom)).toBeLessThan(wasm.length / 8);
    expect(Math.max(...resumedFrom)).toBeGreaterThan((wasm.length * 7) / 8);
  });
});
