import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, OsmoseError, type OsmoseErrorJson } from '../../lib/OsmoseError.js';

/** A file of the next image, as the board's verified update metadata names it. */
export interface WantedFile {
  readonly name: string;
  /** Lower-case hex SHA-256: what the bytes must hash to, whoever served them. */
  readonly sha256: string;
  readonly length: number;
}

/**
 * How the board reaches its gateway: mutual TLS 1.3, the board proving who it is with the
 * certificate and key its image gave it, and trusting only a gateway certificate signed by
 * the building CA.
 */
export interface GatewayConnection {
  readonly host: string;
  readonly port: number;
  readonly tls: {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly ca: string | Buffer;
    /** The name the gateway's certificate must carry, when it is not `host`. */
    readonly servername?: string;
  };
}

export interface DownloadProgress {
  readonly file: string;
  /** Bytes of this file the board holds; goes back to 0 only when the file starts over. */
  readonly bytes: number;
  readonly total: number;
  /** Body bytes received from the gateway since the call began, across files: never decreases. */
  readonly downloaded: number;
}

export interface DownloadOptions {
  /** Where finished files go (the staging directory); a file in progress lives beside as `<name>.part`. */
  readonly dir: string;
  /** The board's id, which the gateway serves files under and checks against its certificate. */
  readonly board: string;
  readonly connect: GatewayConnection;
  readonly files: readonly WantedFile[];
  /**
   * The bytes the board already has for a file (its active slot shares most of the next image):
   * copied when their digest and length match, never downloaded. Anything else, including an
   * error, means "not here" and the file is downloaded.
   */
  readonly reuse?: (file: WantedFile) => Promise<Uint8Array | undefined>;
  /** Failed attempts allowed per file before giving up (5 unless told). A cut that brought bytes is not a failure. */
  readonly retries?: number;
  /** The wait after the first failure, doubled after each further one (250 ms unless told). */
  readonly backoffMs?: number;
  /** How long a connection may stay silent before it counts as cut (30 s unless told). */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  /** Body bytes received from the gateway, including those of attempts that were refused. */
  readonly downloaded: number;
  /** Files copied from `reuse`. */
  readonly reused: readonly string[];
  /** Files that were neither complete in `dir` nor reused: downloaded, or finished from a `.part`. */
  readonly fetched: readonly string[];
  /** Files already complete in `dir`. */
  readonly skipped: readonly string[];
}

const fileName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const digestPattern = /^[0-9a-f]{64}$/;
/** Certificate checks that no retry will change: the gateway is not the building's. */
const untrusted = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Downloads the files of the board's next image from its gateway into `dir`, the way a board
 * on a flaky link and a power supply it does not control has to: a file already complete is
 * kept, one the board has elsewhere is copied, and one half-downloaded resumes where it stopped
 * (a byte range tied by If-Range to the file's digest, so the start of one file is never
 * continued with the end of another). Bytes are hashed as they arrive and a file gets its real
 * name only once its digest and length match and it is flushed to disk, so `dir` never holds a
 * wrong or torn file under a real name. A refused file is deleted and fetched again from
 * scratch; when a file fails `retries` times the error names the file and the gateway.
 */
export async function downloadFiles(options: DownloadOptions): Promise<DownloadResult> {
  checkOptions(options);
  await mkdir(options.dir, { recursive: true });
  const tls = options.connect.tls;
  const agent = new Agent({ keepAlive: true, maxSockets: 1, key: tls.key, cert: tls.cert, ca: tls.ca, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'], ...(tls.servername === undefined ? {} : { servername: tls.servername }) });
  const run: Run = { options, agent, gateway: `${options.connect.host}:${options.connect.port}`, downloaded: 0 };
  const reused: string[] = [];
  const fetched: string[] = [];
  const skipped: string[] = [];
  try {
    for (const file of options.files) {
      stopIfAborted(run, file);
      if (await isComplete(join(options.dir, file.name), file)) {
        skipped.push(file.name);
        await rm(join(options.dir, `${file.name}.part`), { force: true });
      } else if (await reuseLocal(run, file)) reused.push(file.name);
      else {
        await fetchFile(run, file);
        fetched.push(file.name);
        continue;
      }
      options.onProgress?.({ file: file.name, bytes: file.length, total: file.length, downloaded: run.downloaded });
    }
  } finally {
    agent.destroy();
  }
  return { downloaded: run.downloaded, reused, fetched, skipped };
}

interface Run {
  readonly options: DownloadOptions;
  readonly agent: Agent;
  /** host:port, for messages. */
  readonly gateway: string;
  downloaded: number;
}

/**
 * What one request came to. `progress` is a cut that still brought bytes: the next attempt
 * resumes from them, and since every such cut moves the file forward they need no limit.
 */
type Attempt = { readonly kind: 'done' } | { readonly kind: 'progress'; readonly error: OsmoseError } | { readonly kind: 'failed'; readonly error: OsmoseError } | { readonly kind: 'fatal'; readonly error: OsmoseError };

function checkOptions(options: DownloadOptions): void {
  const problems: string[] = [];
  if (typeof options.dir !== 'string' || options.dir === '') problems.push('dir: give the staging directory the files go to');
  if (!fileName.test(options.board)) problems.push(`board: ${JSON.stringify(options.board)} is not a board id`);
  const { host, port } = options.connect;
  if (typeof host !== 'string' || host === '') problems.push('connect.host: give the gateway host name or address');
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`connect.port: ${String(port)} is not a TCP port`);
  const seen = new Set<string>();
  options.files.forEach((file, index) => {
    if (!fileName.test(file.name)) problems.push(`files[${index}].name: ${JSON.stringify(file.name)} is not a slot file name (one segment of letters, digits, '.', '_', '-')`);
    if (seen.has(file.name)) problems.push(`files[${index}].name: ${file.name} is wanted twice`);
    seen.add(file.name);
    if (!digestPattern.test(file.sha256)) problems.push(`files[${index}].sha256: ${JSON.stringify(file.sha256)} is not a lower-case hex SHA-256`);
    if (!Number.isSafeInteger(file.length) || file.length < 0) problems.push(`files[${index}].length: ${String(file.length)} is not a byte count`);
  });
  for (const [key, value] of [['retries', options.retries], ['backoffMs', options.backoffMs], ['idleTimeoutMs', options.idleTimeoutMs]] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) problems.push(`${key}: ${String(value)} is not a whole number, 0 or more`);
  }
  if (problems.length > 0) {
    throw new InputError('download.bad-options', `downloadFiles was called with ${problems.length === 1 ? 'a bad option' : `${problems.length} bad options`}: ${problems.join('; ')}`, { data: { problems } });
  }
}

/** A file already in place from an earlier, interrupted run of the same update. */
async function isComplete(path: string, file: WantedFile): Promise<boolean> {
  const size = await sizeOf(path);
  if (size !== file.length) return false;
  const hash = createHash('sha256');
  await hashPrefix(path, size, hash);
  return hash.digest('hex') === file.sha256;
}

async function reuseLocal(run: Run, file: WantedFile): Promise<boolean> {
  if (run.options.reuse === undefined) return false;
  const bytes = await run.options.reuse(file).catch(() => undefined);
  if (bytes?.length !== file.length || createHash('sha256').update(bytes).digest('hex') !== file.sha256) return false;
  const path = join(run.options.dir, file.name);
  await writeFile(`${path}.part`, bytes, { flush: true });
  await settle(run.options.dir, `${path}.part`, path);
  return true;
}

async function fetchFile(run: Run, file: WantedFile): Promise<void> {
  const { retries = 5, backoffMs = 250 } = run.options;
  let failures = 0;
  for (;;) {
    stopIfAborted(run, file);
    const outcome = await attempt(run, file);
    if (outcome.kind === 'done') return;
    if (outcome.kind === 'fatal') throw outcome.error;
    stopIfAborted(run, file);
    if (outcome.kind === 'progress') continue;
    failures += 1;
    if (failures > retries) {
      const last = outcome.error;
      throw new OsmoseError(last.code, `${last.message}; gave up after ${failures} failed attempts`, {
        ...(last.hint === undefined ? {} : { hint: last.hint }),
        data: { ...last.data, attempts: failures },
        cause: last.cause,
      });
    }
    // Doubling, capped, and jittered so that a building's boards cut off together do not all
    // come back at the same instant.
    const wait = Math.min(backoffMs * 2 ** (failures - 1), backoffMs * 64);
    await sleep(wait / 2 + (Math.random() * wait) / 2, undefined, run.options.signal === undefined ? {} : { signal: run.options.signal }).catch(() => undefined);
  }
}

/** One request for what the board lacks of a file, and what came of it. */
async function attempt(run: Run, file: WantedFile): Promise<Attempt> {
  const path = join(run.options.dir, file.name);
  const part = `${path}.part`;
  let offset = (await sizeOf(part)) ?? 0;
  if (offset > file.length) {
    await rm(part, { force: true });
    offset = 0;
  }
  let hash = createHash('sha256');
  if (offset > 0) await hashPrefix(part, offset, hash);
  if (offset === file.length) {
    // Nothing left to ask for: the .part is either the file or not.
    if (file.length === 0) await writeFile(part, new Uint8Array(0));
    const actual = hash.digest('hex');
    if (actual === file.sha256) {
      const handle = await open(part, 'r+');
      await handle.sync().finally(() => handle.close());
      await settle(run.options.dir, part, path);
      return { kind: 'done' };
    }
    await rm(part, { force: true });
    return { kind: 'failed', error: wrongBytes(run, file, { sha256: actual, length: offset }) };
  }

  const etag = `"${file.sha256}"`;
  let reply: Reply;
  try {
    reply = await get(run, file, offset === 0 ? {} : { Range: `bytes=${offset}-`, 'If-Range': etag });
  } catch (error) {
    return transportFailure(run, file, error);
  }
  const { response } = reply;
  const status = response.statusCode ?? 0;
  if (status !== 200 && status !== 206) return refusal(run, file, reply, part);
  if (response.headers.etag !== undefined && response.headers.etag !== etag) {
    response.destroy();
    return { kind: 'failed', error: wrongBytes(run, file, { etag: response.headers.etag }) };
  }
  if (status === 200 && offset > 0) {
    // The gateway sent the whole file instead of the rest (If-Range did not match, or it does
    // not do ranges): what the board had is worth nothing.
    offset = 0;
    hash = createHash('sha256');
  } else if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers['content-range'] ?? '');
    if (range === null || Number(range[1]) !== offset || Number(range[2]) !== file.length - 1 || Number(range[3]) !== file.length) {
      response.destroy();
      await rm(part, { force: true });
      return {
        kind: 'failed',
        error: new OsmoseError('download.protocol', `the gateway ${run.gateway} answered a request for ${file.name} from byte ${offset} with the range ${response.headers['content-range'] ?? '(none)'}`, {
          data: { file: file.name, gateway: run.gateway, offset, contentRange: response.headers['content-range'] },
        }),
      };
    }
  }
  const announced = response.headers['content-length'];
  if (announced !== undefined && Number(announced) !== file.length - offset) {
    response.destroy();
    await rm(part, { force: true });
    return { kind: 'failed', error: wrongBytes(run, file, { length: offset + Number(announced) }) };
  }
  return receive(run, file, reply, part, offset, hash);
}

/** Streams the body into the .part file after `offset`, and settles the file if it is right. */
async function receive(run: Run, file: WantedFile, { response, body }: Reply, part: string, offset: number, hash: Hash): Promise<Attempt> {
  const handle = await open(part, offset === 0 ? 'w' : 'r+');
  let position = offset;
  let seen = offset;
  let cut: unknown;
  let actual: string | undefined;
  try {
    try {
      for await (const chunk of body) {
        run.downloaded += chunk.length;
        seen += chunk.length;
        const take = chunk.subarray(0, file.length - position);
        if (take.length > 0) {
          await handle.write(take, 0, take.length, position);
          hash.update(take);
          position += take.length;
          run.options.onProgress?.({ file: file.name, bytes: position, total: file.length, downloaded: run.downloaded });
        }
        // More than the file's length: cut off here, whatever the rest would have been.
        if (seen > file.length) break;
      }
    } catch (error) {
      cut = error;
    }
    if (seen > file.length) response.destroy();
    else if (cut === undefined && position === file.length) {
      actual = hash.digest('hex');
      if (actual === file.sha256) await handle.sync();
    }
  } finally {
    await handle.close();
  }
  if (actual === file.sha256) {
    await settle(run.options.dir, part, join(run.options.dir, file.name));
    return { kind: 'done' };
  }
  if (cut !== undefined && seen <= file.length) {
    const error = unreachable(run, file, cut, position);
    return position > offset ? { kind: 'progress', error } : { kind: 'failed', error };
  }
  // Too long, too short though the gateway said it was done, or the wrong bytes: none of it is kept.
  await rm(part, { force: true });
  return { kind: 'failed', error: wrongBytes(run, file, actual === undefined ? { length: seen, ...(seen > file.length ? { cutOff: true } : {}) } : { sha256: actual, length: position }) };
}

/**
 * The body's chunks, every one that arrived, then the error if the connection broke. Reading
 * a response as a stream drops what was buffered when it errors; on a link that breaks, those
 * are bytes the board paid for, so they are queued here as they come (up to a mebibyte before
 * the response is paused) and handed out first, all that waits in one piece. Listening starts
 * at once, before the caller's next await, so an end or a cut that comes while the caller
 * opens its file is not missed.
 */
function bodyOf(response: IncomingMessage): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= 1024 * 1024) response.pause();
    notify();
  };
  const onEnd = (): void => {
    done = true;
    notify();
  };
  const onError = (error: Error): void => {
    failure ??= error;
    done = true;
    notify();
  };
  const onClose = (): void => {
    if (!response.complete) failure ??= new Error('the connection closed before the body ended');
    done = true;
    notify();
  };
  response.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  return (async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (queue.length > 0) {
          const chunk = queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue);
          queue.length = 0;
          queued = 0;
          if (response.isPaused()) response.resume();
          yield chunk;
        } else if (done) {
          break;
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      }
      if (failure !== undefined) throw failure;
    } finally {
      response.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    }
  })();
}

/** A response whose body is already being listened to (bodyOf). */
interface Reply {
  readonly response: IncomingMessage;
  readonly body: AsyncGenerator<Buffer>;
}

function get(run: Run, file: WantedFile, headers: Record<string, string>): Promise<Reply> {
  const { host, port } = run.options.connect;
  const path = `/boards/${encodeURIComponent(run.options.board)}/files/${encodeURIComponent(file.name)}`;
  const timeout = run.options.idleTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        method: 'GET',
        headers,
        agent: run.agent,
        ...(run.options.connect.tls.servername === undefined ? {} : { servername: run.options.connect.tls.servername }),
        ...(run.options.signal === undefined ? {} : { signal: run.options.signal }),
        ...(timeout === 0 ? {} : { timeout }),
      },
      (response) => resolve({ response, body: bodyOf(response) }),
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no byte from the gateway for ${timeout} ms`)));
    req.end();
  });
}

/** A 4xx says the board may not have this file (or asked wrongly): retrying will not change it. */
async function refusal(run: Run, file: WantedFile, { response, body }: Reply, part: string): Promise<Attempt> {
  const status = response.statusCode ?? 0;
  const reply = await readError(response, body);
  const said = reply === undefined ? '' : `: ${reply.message}`;
  if (status === 416) {
    // The board holds more of the file than the gateway has of it: the .part is of another file.
    await rm(part, { force: true });
    return { kind: 'failed', error: new OsmoseError('download.protocol', `the gateway ${run.gateway} has less of ${file.name} than the board already downloaded${said}`, { data: { file: file.name, gateway: run.gateway, status } }) };
  }
  const data = { file: file.name, gateway: run.gateway, status, ...(reply === undefined ? {} : { reply: { code: reply.code, data: reply.data } }) };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return {
      kind: 'fatal',
      error: new OsmoseError('download.refused', `the gateway ${run.gateway} refused ${file.name} to board ${run.options.board} (HTTP ${status})${said}`, {
        hint: status === 403 ? "the gateway serves a board only its own files: check the board id against the board's certificate" : 'check that the gateway holds this board’s next image',
        data,
      }),
    };
  }
  return { kind: 'failed', error: new OsmoseError('download.unreachable', `the gateway ${run.gateway} answered HTTP ${status} for ${file.name}${said}`, { data }) };
}

/** The gateway's error body, an OsmoseError as JSON, when it sent one. */
async function readError(response: IncomingMessage, body: AsyncGenerator<Buffer>): Promise<OsmoseErrorJson | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > 64 * 1024) {
        response.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<OsmoseErrorJson>;
    return typeof reply.code === 'string' && typeof reply.message === 'string' ? (reply as OsmoseErrorJson) : undefined;
  } catch {
    return undefined;
  }
}

function transportFailure(run: Run, file: WantedFile, error: unknown): Attempt {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && untrusted.has(code)) {
    return {
      kind: 'fatal',
      error: new OsmoseError('download.untrusted', `the gateway at ${run.gateway} did not prove it is the building's gateway (${code}) while board ${run.options.board} asked for ${file.name}`, {
        hint: "the board trusts only a gateway certificate signed by the building CA for the name it dials; check the gateway's certificate and the board's CA",
        data: { file: file.name, gateway: run.gateway, tlsError: code },
        cause: error,
      }),
    };
  }
  return { kind: 'failed', error: unreachable(run, file, error, 0) };
}

function unreachable(run: Run, file: WantedFile, error: unknown, bytes: number): OsmoseError {
  const reason = error instanceof Error ? error.message : String(error);
  return new OsmoseError('download.unreachable', `board ${run.options.board} could not download ${file.name} from the gateway ${run.gateway}: ${reason}`, {
    hint: 'check that the gateway is running and reachable; what arrived is kept and the download resumes from it',
    data: { file: file.name, gateway: run.gateway, bytes, ...((error as NodeJS.ErrnoException | undefined)?.code === undefined ? {} : { errno: (error as NodeJS.ErrnoException).code }) },
    cause: error,
  });
}

function wrongBytes(run: Run, file: WantedFile, actual: Readonly<Record<string, unknown>>): OsmoseError {
  const what = 'sha256' in actual ? `bytes that hash to ${String(actual['sha256'])}` : 'etag' in actual ? `a file whose ETag is ${String(actual['etag'])}` : `${String(actual['length'])} bytes`;
  return new OsmoseError('download.digest', `the gateway ${run.gateway} sent ${what} for ${file.name}, which the update metadata says is ${file.length} bytes with SHA-256 ${file.sha256}; refused`, {
    hint: "the gateway's copy of this file is not the one its signed metadata names; rebuild or re-sync the gateway's repository",
    data: { file: file.name, gateway: run.gateway, expected: { sha256: file.sha256, length: file.length }, actual },
  });
}

function stopIfAborted(run: Run, file: WantedFile): void {
  const signal = run.options.signal;
  if (signal?.aborted !== true) return;
  throw new OsmoseError('download.aborted', `the download of ${file.name} from the gateway ${run.gateway} was stopped; what arrived is kept for the next attempt`, {
    data: { file: file.name, gateway: run.gateway },
    cause: signal.reason,
  });
}

/** Gives a flushed .part its real name, then flushes the directory so the name survives a power cut. */
async function settle(dir: string, part: string, path: string): Promise<void> {
  await rename(part, path);
  const handle = await open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Feeds the first `length` bytes of a file to `hash`, as a resumed download's digest starts from them. */
async function hashPrefix(path: string, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 }) as AsyncIterable<Buffer>) hash.update(chunk);
}
