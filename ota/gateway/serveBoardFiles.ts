import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { OsmoseError } from '../../lib/OsmoseError.js';

/**
 * One file a board may fetch. The gateway knows a file's digest and length from the build's
 * signed metadata before it reads the bytes, so HEAD, ETag and range checks never read them;
 * `read` is called only when a body is sent (the bytes usually come out of the ledger's git
 * objects, which is why this is a function and not a path).
 */
export interface BoardFile {
  readonly name: string;
  /** Lower-case hex SHA-256 of the bytes: the file's ETag, and what the board checks. */
  readonly sha256: string;
  readonly length: number;
  read(): Promise<Uint8Array>;
}

/**
 * Finds a board's file by name, or `undefined` when the board has no such file. Only ever
 * called with the board the TLS layer authenticated, so a resolver can trust its `board`.
 */
export type FileResolver = (board: string, name: string) => Promise<BoardFile | undefined>;

export interface ServeBoardFilesOptions {
  readonly resolve: FileResolver;
  /**
   * Called once per GET that sent file bytes, when the response ends or the connection drops,
   * with the body bytes the socket accepted: the gateway's "bytes on the wire", which counts
   * the bytes of a download cut halfway as well.
   */
  onServed?(board: string, name: string, bytes: number): void;
  /**
   * How many bytes go to the socket per write; each write waits for the previous one, so this
   * is also the unit in which `onServed` counts and in which a cut connection loses bytes.
   * 64 KiB unless told.
   */
  readonly chunkBytes?: number;
}

/** What one board's request for its own file is answered with, decided before any byte is read. */
type RangeAnswer = { readonly kind: 'whole' } | { readonly kind: 'part'; readonly start: number; readonly end: number } | { readonly kind: 'unsatisfiable' };

/** The one URL shape this handler answers; anything else under it is 404. */
const filePath = /^\/boards\/([^/]+)\/files\/([^/]+)$/;
/** A slot is flat: a name can neither climb out of it nor hide in it (kernel-js installUpdate). */
const fileName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const digest = /^[0-9a-f]{64}$/;

/**
 * The gateway's file server for boards: answers `GET` and `HEAD /boards/<board>/files/<name>`
 * with the file the resolver finds, with byte ranges so a board resumes a cut download where it
 * stopped instead of starting over. The caller passes the board its TLS layer authenticated;
 * a URL naming any other board is refused (403), so a board fetches only its own images and
 * configuration whatever it asks for. Nothing is cached on the way (`no-store`): the files of
 * a board change with every rollout, and the ETag (the file's SHA-256) is what ties a resumed
 * range to the bytes it continues.
 */
export function serveBoardFiles(options: ServeBoardFilesOptions): (request: IncomingMessage, response: ServerResponse, board: string) => void {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new OsmoseError('gateway.bad-chunk-size', `serveBoardFiles: chunkBytes must be a positive integer, not ${String(chunkBytes)}`, { data: { chunkBytes } });
  }
  return (request, response, board) => {
    answer(request, response, board, options, chunkBytes).catch((error: unknown) => {
      // A failure after the headers went out can only be reported by cutting the connection:
      // the board sees a short body and resumes or refetches.
      if (response.headersSent) response.destroy(error instanceof Error ? error : new Error(String(error)));
      else refuse(response, 500, new OsmoseError('gateway.unreadable-file', `the gateway could not read this file: ${error instanceof Error ? error.message : String(error)}`));
    });
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, board: string, options: ServeBoardFilesOptions, chunkBytes: number): Promise<void> {
  const path = new URL(request.url ?? '/', 'https://gateway.invalid').pathname;
  const match = filePath.exec(path);
  const [asked, name] = match === null ? [undefined, undefined] : [decodeSegment(match[1] ?? ''), decodeSegment(match[2] ?? '')];
  if (asked === undefined || name === undefined) {
    refuse(response, 404, new OsmoseError('gateway.no-such-path', `the gateway serves board files at /boards/<board>/files/<name>, not at ${path}`, { data: { path } }));
    return;
  }
  if (asked !== board) {
    refuse(response, 403, new OsmoseError('gateway.other-board', `this connection is authenticated as board ${board}, which may fetch only /boards/${board}/files/…, not board ${asked}'s files`, { data: { board, asked } }));
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    refuse(response, 405, new OsmoseError('gateway.bad-method', `board files are read with GET or HEAD, not ${request.method ?? '(none)'}`, { data: { method: request.method } }), { Allow: 'GET, HEAD' });
    return;
  }
  if (!fileName.test(name)) {
    refuse(response, 400, new OsmoseError('gateway.bad-file-name', `${JSON.stringify(name)} is not a slot file name: a name is one path segment of letters, digits, '.', '_' and '-', starting with a letter or digit`, { data: { name } }));
    return;
  }
  const file = await options.resolve(board, name);
  if (file === undefined) {
    refuse(response, 404, new OsmoseError('gateway.no-such-file', `board ${board} has no file ${name} in the image the gateway holds for it`, { data: { board, name } }));
    return;
  }
  if (!digest.test(file.sha256) || !Number.isSafeInteger(file.length) || file.length < 0) {
    throw new Error(`the resolver described ${name} with sha256 ${JSON.stringify(file.sha256)} and length ${String(file.length)}; it needs a lower-case hex SHA-256 and a byte count`);
  }

  const etag = `"${file.sha256}"`;
  const common: OutgoingHttpHeaders = { ETag: etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store', 'Content-Type': contentType(name) };
  // Ranges are defined for GET only (RFC 9110 §14.2): a HEAD describes the whole file.
  const range = request.method === 'GET' ? pickRange(request.headers.range, oneHeader(request.headers['if-range']), etag, file.length) : ({ kind: 'whole' } as const);
  if (range.kind === 'unsatisfiable') {
    refuse(response, 416, new OsmoseError('gateway.bad-range', `${name} is ${file.length} bytes long: ${request.headers.range ?? ''} asks for none of them`, { data: { name, length: file.length, range: request.headers.range } }), {
      ...common,
      'Content-Range': `bytes */${file.length}`,
    });
    return;
  }
  const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, file.length - 1];
  const headers: OutgoingHttpHeaders = { ...common, 'Content-Length': end - start + 1 };
  if (range.kind === 'part') headers['Content-Range'] = `bytes ${start}-${end}/${file.length}`;
  const status = range.kind === 'part' ? 206 : 200;
  if (request.method === 'HEAD') {
    response.writeHead(status, headers);
    response.end();
    return;
  }

  const bytes = await file.read();
  if (bytes.length !== file.length) throw new Error(`${name} was announced as ${file.length} bytes, but ${bytes.length} were read`);
  response.writeHead(status, headers);
  const written = await writeBody(response, bytes.subarray(start, end + 1), chunkBytes);
  options.onServed?.(board, name, written);
}

/**
 * Reads the Range and If-Range headers the way RFC 9110 allows a simple server to: one range
 * is honoured; several, a malformed one or a unit other than bytes are ignored (the whole file,
 * 200); an If-Range that is not this file's strong ETag means the board holds the start of some
 * other file, so it gets the whole of this one.
 */
function pickRange(header: string | undefined, ifRange: string | undefined, etag: string, length: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  if (ifRange !== undefined && ifRange.trim() !== etag) return { kind: 'whole' };
  const spec = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (spec === null) return { kind: 'whole' };
  const [, first = '', last = ''] = spec;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || length === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return { kind: 'whole' };
  if (start >= length) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, length - 1) };
}

/**
 * Writes the body one chunk at a time, each after the socket took the one before, and returns
 * the bytes it took. Stops as soon as the connection closes, so a board that went away costs
 * no more reads and the count is what really left.
 */
async function writeBody(response: ServerResponse, body: Uint8Array, chunkBytes: number): Promise<number> {
  let closed = false;
  const gone = new Promise<false>((resolve) => {
    response.once('close', () => {
      closed = true;
      resolve(false);
    });
  });
  let written = 0;
  for (let at = 0; at < body.length && !closed; at += chunkBytes) {
    const chunk = body.subarray(at, Math.min(at + chunkBytes, body.length));
    const took = await Promise.race([new Promise<boolean>((resolve) => response.write(chunk, (error) => resolve(error == null))), gone]);
    if (!took) break;
    written += chunk.length;
  }
  if (!closed) response.end();
  return written;
}

function refuse(response: ServerResponse, status: number, error: OsmoseError, extra: OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(JSON.stringify(error.toJSON()));
  response.writeHead(status, { 'Cache-Control': 'no-store', ...extra, 'Content-Type': 'application/json', 'Content-Length': body.length });
  response.end(body);
}

/** A URL segment as the board meant it, or undefined when its percent-encoding is broken. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A header given once; given several times it matches no ETag, so it reads as a mismatch. */
function oneHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function contentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.wasm')) return 'application/wasm';
  return 'application/octet-stream';
}
