import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTlsFixture, type TlsFixture, type TlsIdentity } from '../../test/tlsFixtures.js';
import { serveBoardFiles, type BoardFile } from './serveBoardFiles.js';

// The gateway's file server over real mutual TLS: the board is whoever its client certificate
// says it is, as the gateway will decide.
const board = 'meeting-1-door';
const wasm = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
const wasmName = `${sha256(wasm)}.wasm`;
const big = new Uint8Array(32 * 1024 * 1024).fill(0x5a);

let tls: TlsFixture;
let door: TlsIdentity;
let server: Server;
let port: number;
const served: { board: string; name: string; bytes: number }[] = [];
const reads: string[] = [];

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function file(name: string, bytes: Uint8Array): BoardFile {
  return {
    name,
    sha256: sha256(bytes),
    length: bytes.length,
    read: () => {
      reads.push(name);
      return Promise.resolve(bytes);
    },
  };
}

const files = new Map<string, Map<string, BoardFile>>([
  [board, new Map([[wasmName, file(wasmName, wasm)], ['config.json', file('config.json', new TextEncoder().encode('{"board":"meeting-1-door"}'))], ['big.bin', file('big.bin', big)], ['empty.json', file('empty.json', new Uint8Array(0))]])],
  ['meeting-2-door', new Map([['config.json', file('config.json', new TextEncoder().encode('{"board":"meeting-2-door"}'))]])],
]);

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function fetchFrom(path: string, options: { headers?: Record<string, string>; method?: string; identity?: TlsIdentity; ca?: string } = {}): Promise<Reply> {
  const identity = options.identity ?? door;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, key: identity.key, cert: identity.cert, ca: options.ca ?? tls.ca, minVersion: 'TLSv1.3', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function codeOf(reply: Reply): unknown {
  return (JSON.parse(reply.body.toString()) as { code?: unknown }).code;
}

const wasmPath = `/boards/${board}/files/${wasmName}`;

beforeAll(async () => {
  tls = await makeTlsFixture();
  door = await tls.client(board);
  const handler = serveBoardFiles({
    resolve: (who, name) => Promise.resolve(files.get(who)?.get(name)),
    onServed: (who, name, bytes) => served.push({ board: who, name, bytes }),
    chunkBytes: 4096,
  });
  server = createServer({ key: tls.server.key, cert: tls.server.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (req, res) => {
    const cn = (req.socket as TLSSocket).getPeerCertificate().subject.CN;
    handler(req, res, typeof cn === 'string' ? cn : '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('serveBoardFiles', () => {
  it('sends a whole file with its digest as ETag, its length, and no caching', async () => {
    served.length = 0;
    const reply = await fetchFrom(wasmPath);
    expect(reply.status).toBe(200);
    expect(Buffer.compare(reply.body, Buffer.from(wasm))).toBe(0);
    expect(reply.headers).toMatchObject({ etag: `"${sha256(wasm)}"`, 'accept-ranges': 'bytes', 'content-length': String(wasm.length), 'cache-control': 'no-store', 'content-type': 'application/wasm' });
    expect(reply.headers['content-range']).toBeUndefined();
    // The gateway hears that the last write left once the socket took it, which may be after
    // the board read it.
    await expect.poll(() => served).toEqual([{ board, name: wasmName, bytes: wasm.length }]);
  });

  it('answers HEAD with the headers of the whole file and reads no bytes', async () => {
    served.length = 0;
    await fetchFrom(wasmPath);
    await expect.poll(() => served.length).toBe(1);
    reads.length = 0;
    served.length = 0;
    const reply = await fetchFrom(wasmPath, { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(0);
    expect(reply.headers).toMatchObject({ etag: `"${sha256(wasm)}"`, 'content-length': String(wasm.length), 'accept-ranges': 'bytes' });
    expect(reads).toEqual([]);
    expect(served).toEqual([]);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-100', 100, 100],
    ['bytes=9000-', 9000, 9999],
    ['bytes=9990-20000', 9990, 9999],
    ['bytes=-10', 9990, 9999],
    ['bytes=-20000', 0, 9999],
    ['BYTES = 5 - 6', 5, 6],
  ])('sends %s as 206 with a Content-Range', async (range, start, end) => {
    served.length = 0;
    const reply = await fetchFrom(wasmPath, { headers: { Range: range } });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/${wasm.length}`);
    expect(reply.headers['content-length']).toBe(String(end - start + 1));
    expect(Buffer.compare(reply.body, Buffer.from(wasm.subarray(start, end + 1)))).toBe(0);
    await expect.poll(() => served).toEqual([{ board, name: wasmName, bytes: end - start + 1 }]);
  });

  it.each(['bytes=10000-', 'bytes=10000-10005', 'bytes=-0'])('answers the unsatisfiable %s with 416 and the length', async (range) => {
    const reply = await fetchFrom(wasmPath, { headers: { Range: range } });
    expect(reply.status).toBe(416);
    expect(reply.headers['content-range']).toBe(`bytes */${wasm.length}`);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ code: 'gateway.bad-range', data: { length: wasm.length } });
  });

  it('finds no range in an empty file', async () => {
    expect((await fetchFrom(`/boards/${board}/files/empty.json`, { headers: { Range: 'bytes=-5' } })).status).toBe(416);
    const whole = await fetchFrom(`/boards/${board}/files/empty.json`);
    expect([whole.status, whole.headers['content-length'], whole.body.length]).toEqual([200, '0', 0]);
  });

  it.each(['bytes=0-9,20-29', 'bytes=9-0', 'items=0-9', 'bytes=-', 'bytes=a-b'])('sends the whole file for %s, which it does not honour', async (range) => {
    const reply = await fetchFrom(wasmPath, { headers: { Range: range } });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(wasm.length);
    expect(reply.headers['content-range']).toBeUndefined();
  });

  it('honours a range only when If-Range is this file’s ETag', async () => {
    const same = await fetchFrom(wasmPath, { headers: { Range: 'bytes=5000-', 'If-Range': `"${sha256(wasm)}"` } });
    expect([same.status, same.body.length]).toEqual([206, 5000]);
    for (const other of [`"${'0'.repeat(64)}"`, `W/"${sha256(wasm)}"`, 'Tue, 15 Nov 1994 08:12:31 GMT']) {
      const reply = await fetchFrom(wasmPath, { headers: { Range: 'bytes=5000-', 'If-Range': other } });
      expect([reply.status, reply.body.length]).toEqual([200, wasm.length]);
    }
  });

  it("refuses a board another board's files, even ones that exist, with the reason", async () => {
    reads.length = 0;
    const reply = await fetchFrom('/boards/meeting-2-door/files/config.json');
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body.toString())).toMatchObject({ name: 'OsmoseError', code: 'gateway.other-board', data: { board, asked: 'meeting-2-door' } });
    expect(reads).toEqual([]);
    // The same path is served to the board it belongs to.
    const other = await fetchFrom('/boards/meeting-2-door/files/config.json', { identity: await tls.client('meeting-2-door') });
    expect([other.status, other.body.toString()]).toEqual([200, '{"board":"meeting-2-door"}']);
  });

  it('answers 404 for an unknown file or path, 405 for other methods, 400 for names that leave the slot', async () => {
    const missing = await fetchFrom(`/boards/${board}/files/targets.json`);
    expect([missing.status, codeOf(missing)]).toEqual([404, 'gateway.no-such-file']);
    const path = await fetchFrom(`/boards/${board}/other/config.json`);
    expect([path.status, codeOf(path)]).toEqual([404, 'gateway.no-such-path']);
    const post = await fetchFrom(wasmPath, { method: 'POST' });
    expect([post.status, post.headers.allow, codeOf(post)]).toEqual([405, 'GET, HEAD', 'gateway.bad-method']);
    for (const name of ['.state.json', '%2E%2E%2Fboard.json', '..%2Fb%2Fconfig.json', 'a%00b']) {
      const reply = await fetchFrom(`/boards/${board}/files/${name}`);
      expect([name, reply.status, codeOf(reply)]).toEqual([name, 400, 'gateway.bad-file-name']);
    }
    // Dot segments are resolved before matching, so they can only land on another path.
    expect((await fetchFrom(`/boards/${board}/files/../../meeting-2-door/files/config.json`)).status).toBe(403);
  });

  it('is reached only with a client certificate from the building CA', async () => {
    const stranger = await makeTlsFixture();
    await expect(fetchFrom(wasmPath, { identity: await stranger.client(board) })).rejects.toThrow();
  });

  it('counts the bytes that left when a board cuts the connection halfway', async () => {
    served.length = 0;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: `/boards/${board}/files/big.bin`, key: door.key, cert: door.cert, ca: tls.ca, agent: false },
        (res) => {
          res.once('data', (chunk: Buffer) => {
            received += chunk.length;
            // Stop reading so the gateway's writes back up, then hang up.
            res.pause();
            setImmediate(() => {
              req.destroy();
              resolve();
            });
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      req.end();
    });
    const cut = (): typeof served => served.filter((entry) => entry.name === 'big.bin');
    await expect.poll(() => cut().length).toBe(1);
    const bytes = cut()[0]?.bytes ?? 0;
    expect(bytes).toBeGreaterThanOrEqual(received);
    expect(bytes).toBeLessThan(big.length);
    expect(bytes % 4096).toBe(0);
  });
});
