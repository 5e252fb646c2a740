import { request } from 'node:http';
import { InputError, OsmoseError, type OsmoseErrorJson } from '../../lib/OsmoseError.js';

export interface SimReply {
  readonly status: number;
  readonly type: string;
  readonly body: Uint8Array;
}

/**
 * One request to a running simulator's (or gateway's) control socket. A refusal comes back as
 * the OsmoseError it sent; nothing listening is `sim.not-running`, or what `notRunning` makes.
 */
export async function simRequest(socket: string, method: string, path: string, body?: Uint8Array | object, notRunning?: () => Error): Promise<SimReply> {
  const payload = body === undefined ? undefined : body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));
  const reply = await new Promise<SimReply>((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: payload === undefined ? {} : { 'content-length': payload.byteLength } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if ((error.code === 'ENOENT' || error.code === 'ECONNREFUSED') && notRunning !== undefined) reject(notRunning());
      else if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new InputError('sim.not-running', `no simulator runs this building (nothing answers on ${socket})`, { hint: 'start one with osmose sim in another shell', data: { socket } }));
      } else reject(error);
    });
    req.end(payload);
  });
  if (reply.status >= 400) {
    const json = JSON.parse(new TextDecoder().decode(reply.body)) as { error: OsmoseErrorJson };
    const error = OsmoseError.fromJSON(json.error);
    throw new InputError(error.code, error.message, { ...(error.hint === undefined ? {} : { hint: error.hint }), data: error.data });
  }
  return reply;
}

/** A reply's JSON body. */
export function replyJson<T>(reply: SimReply): T {
  return JSON.parse(new TextDecoder().decode(reply.body)) as T;
}
