import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { readJsonBody, sendJson, serveControlSocket } from '../../lib/control/controlSocket.js';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';
import { rolloutSummary } from '../rollout/rolloutSummary.js';
import { controlRollout, isRolloutVerb } from './controlRollout.js';
import type { Gateway } from './Gateway.js';
import { gatewayStatus } from './gatewayStatus.js';
import { parseRolloutRequest } from './parseRolloutRequest.js';
import { peopleRoutes } from './peopleRoute.js';
import { presenceRoute } from './presenceRoute.js';

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
 *     POST /presence/SPACE           who is in a space (presenceRoute); DELETE empties it, GET /presence lists
 */
export async function serveGatewayControl(gateway: Gateway, socket: string): Promise<Server> {
  await mkdir(dirname(socket), { recursive: true });
  return serveControlSocket({
    socket,
    route: peopleRoutes(gateway, socket, (request, response) => route(gateway, request, response)),
    statusOf: (code) => (code === 'gateway.no-route' || code === 'rollout.none' ? 404 : code === 'rollout.in-progress' ? 409 : 400),
    internalCode: 'gateway.internal',
    alreadyRunning: () => new InputError('gateway.already-running', `a gateway already runs for this building (it answers on ${socket})`, { hint: 'stop it, or drive it with osmose rollout and osmose status', data: { socket } }),
  });
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
    return sendJson(response, 200, gatewayStatus(gateway));
  }
  if (method === 'POST' && parts.join('/') === 'rollouts') {
    await fleet.startRollout(parseRolloutRequest(await readJsonBody(request, 'gateway.bad-body')));
    return sendJson(response, 200, summary());
  }
  if (parts[0] === 'rollouts' && parts[1] === 'current') {
    if (method === 'GET' && parts.length === 2) {
      if (fleet.rollout === undefined) throw new InputError('rollout.none', 'no rollout has been started on this gateway', { hint: 'start one with osmose rollout', data: {} });
      return sendJson(response, 200, summary());
    }
    const verb = parts[2];
    if (method === 'POST' && parts.length === 3 && isRolloutVerb(verb)) {
      const reason = (await readJsonBody(request, 'gateway.bad-body'))['reason'];
      await controlRollout(fleet, verb, typeof reason === 'string' ? reason : undefined);
      return sendJson(response, 200, summary());
    }
  }
  if (parts[0] === 'holds' && parts.length === 2 && (method === 'POST' || method === 'DELETE')) {
    fleet.control({ kind: method === 'POST' ? 'hold' : 'release', at, space: parts[1] ?? '' });
    await fleet.flush();
    return sendJson(response, 200, summary());
  }
  if (await presenceRoute(gateway.presence, fleet.build, request, response, method, parts)) return;
  throw new OsmoseError('gateway.no-route', `no route ${method} ${url.pathname}`, { hint: 'see docs/gateway.md for the control interface' });
}
