import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { claimSimSocket } from '../../image/sim/simControlServer.js';
import { InputError, isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import type { RolloutInput } from '../rollout/RolloutInput.js';
import { rolloutSummary } from '../rollout/rolloutSummary.js';
import type { Gateway } from './Gateway.js';
import { parseRolloutRequest } from './parseRolloutRequest.js';

/** Where a running gateway listens for the operator, in the building: `.osmose/gateway/control.sock`. */
export const gatewayControlSocket = (root: string): string => `${root}/.osmose/gateway/control.sock`;

/**
 * The operator's interface to a running gateway: HTTP/1.1 on a Unix socket in the building
 * (only users who may open the building's files reach it). docs/gateway.md lists the routes:
 *
 *     GET  /status                   the gateway and every board: version, slot, health
 *     POST /rollouts                 { waves, maxFailures, windows, healthTimeout }: start one
 *     GET  /rollouts/current         the rollout's summary
 *     POST /rollouts/current/pause   (and resume, abort { reason })
 *     POST /holds/SPACE              hold a space (its boards are upgraded later); DELETE releases
 */
export async function serveGatewayControl(gateway: Gateway, socket: string): Promise<Server> {
  await mkdir(dirname(socket), { recursive: true });
  await claimSimSocket(socket).catch((error: unknown) => {
    if (isOsmoseError(error) && error.code === 'sim.already-running') {
      throw new InputError('gateway.already-running', `a gateway already runs for this building (it answers on ${socket})`, { hint: 'stop it, or drive it with osmose rollout and osmose status', data: { socket } });
    }
    throw error;
  });
  const server = createServer((request, response) => {
    void route(gateway, request, response).catch((error: unknown) => {
      const typed = isOsmoseError(error) ? error : new OsmoseError('gateway.internal', error instanceof Error ? error.message : String(error));
      const status = typed.code === 'gateway.no-route' || typed.code === 'rollout.none' ? 404 : typed.code === 'gateway.internal' ? 500 : typed.code === 'rollout.in-progress' ? 409 : 400;
      send(response, status, { error: typed.toJSON() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function route(gateway: Gateway, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://gateway');
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  const method = request.method ?? 'GET';
  const fleet = gateway.fleet;
  const at = new Date().toISOString();
  const summary = (): unknown => {
    const state = fleet.rollout;
    return state === undefined ? null : rolloutSummary(state);
  };
  if (method === 'GET' && parts.join('/') === 'status') {
    return send(response, 200, { gateway: { ...gateway.address(), build: fleet.build.commit, counters: gateway.counters }, rollout: summary(), boards: fleet.boards() });
  }
  if (method === 'POST' && parts.join('/') === 'rollouts') {
    await fleet.startRollout(parseRolloutRequest(await jsonBody(request)));
    return send(response, 200, summary());
  }
  if (parts[0] === 'rollouts' && parts[1] === 'current') {
    if (method === 'GET' && parts.length === 2) {
      if (fleet.rollout === undefined) throw new InputError('rollout.none', 'no rollout has been started on this gateway', { hint: 'start one with osmose rollout', data: {} });
      return send(response, 200, summary());
    }
    const verb = parts[2];
    if (method === 'POST' && parts.length === 3 && (verb === 'pause' || verb === 'resume' || verb === 'abort')) {
      const body = await jsonBody(request);
      const input: RolloutInput = verb === 'abort' ? { kind: 'abort', at, ...(typeof body['reason'] === 'string' ? { reason: body['reason'] } : {}) } : { kind: verb, at };
      fleet.control(input);
      await fleet.flush();
      return send(response, 200, summary());
    }
  }
  if (parts[0] === 'holds' && parts.length === 2 && (method === 'POST' || method === 'DELETE')) {
    fleet.control({ kind: method === 'POST' ? 'hold' : 'release', at, space: parts[1] ?? '' });
    await fleet.flush();
    return send(response, 200, summary());
  }
  throw new OsmoseError('gateway.no-route', `no route ${method} ${url.pathname}`, { hint: 'see docs/gateway.md for the control interface' });
}

async function jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Refused below.
  }
  throw new InputError('gateway.bad-body', 'the request body is not a JSON object', { data: { body: text.slice(0, 200) } });
}

function send(response: ServerResponse, status: number, value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
