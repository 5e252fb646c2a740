import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { InputError, isOsmoseError, OsmoseError, type OsmoseErrorJson } from '../OsmoseError.js';

/**
 * A command's control interface (a running `osmose sim`, `osmose gateway`): HTTP/1.1 on a Unix
 * socket in the building, so only users who may open the building's files reach it. Each
 * route's refusal answers with the status `statusOf` gives its code, and
 * `{ "error": { code, message, hint } }`; anything else thrown is `internalCode`, 500.
 */
export async function serveControlSocket(options: {
  readonly socket: string;
  readonly route: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  readonly statusOf: (code: string) => number;
  readonly internalCode: string;
  /** The refusal when another process already answers on the socket. */
  readonly alreadyRunning: () => InputError;
}): Promise<Server> {
  await claimControlSocket(options.socket, options.alreadyRunning);
  const server = createServer((request, response) => {
    void options.route(request, response).catch((error: unknown) => {
      const typed = isOsmoseError(error) ? error : new OsmoseError(options.internalCode, error instanceof Error ? error.message : String(error));
      sendJson(response, typed.code === options.internalCode ? 500 : options.statusOf(typed.code), { error: typed.toJSON() satisfies OsmoseErrorJson });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Refuses when a process already answers on the socket (before anything is touched); removes a
 * socket left by one that died.
 */
export async function claimControlSocket(socket: string, alreadyRunning: () => InputError): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw alreadyRunning();
  await unlink(socket).catch(() => undefined);
}

/** A request's body. */
export async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A request's body as a JSON object (an empty body is `{}`); anything else is refused with `code`. */
export async function readJsonBody(request: IncomingMessage, code: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await readBody(request));
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Refused below.
  }
  throw new InputError(code, 'the request body is not a JSON object', { data: { body: text.slice(0, 200) } });
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendBytes(response: ServerResponse, type: string, bytes: Uint8Array): void {
  response.writeHead(200, { 'content-type': type, 'content-length': bytes.byteLength });
  response.end(bytes);
}
