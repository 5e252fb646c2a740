import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { ledgerHead } from '../../builder/ledger/ledgerHead.js';
import { readJsonBody, sendJson } from '../../lib/control/controlSocket.js';
import { InputError, isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import { controlRollout, isRolloutVerb } from '../gateway/controlRollout.js';
import type { Gateway } from '../gateway/Gateway.js';
import { parseRolloutRequest } from '../gateway/parseRolloutRequest.js';
import { rolloutSummary } from '../rollout/rolloutSummary.js';
import { dashboardBoardPage } from './dashboardBoardPage.js';
import type { DashboardOverview } from './DashboardApi.js';
import type { DashboardDevices } from './DashboardDevices.js';
import { dashboardLedger } from './dashboardLedger.js';
import { dashboardOverview } from './dashboardOverview.js';
import { dashboardRollouts } from './dashboardRollouts.js';
import { EventStream } from './EventStream.js';
import { HealthHistory } from './HealthHistory.js';
import { OperatorSessions } from './OperatorSessions.js';
import { RolloutArchive } from './RolloutArchive.js';

export interface DashboardOptions {
  readonly gateway: Gateway;
  /** The building repository: its ledger, journal and the operator's secret. */
  readonly root: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** How often the page's live views are refreshed at most, and the simulated devices and the ledger's head looked at (250 ms). */
  readonly pollMs?: number;
  /**
   * How often an overview goes out when only heartbeats changed it (5 s): a board coming, going,
   * changing image, slot, health or rollout state goes out at the next poll; its heartbeat
   * times and counts wait. 0 sends every change (the benchmark's baseline).
   */
  readonly quietMs?: number;
}

export interface RunningDashboard {
  /** Where a browser opens it: `http://HOST:PORT/`. */
  readonly url: string;
  /** The simulated building's devices, once its boards run (`osmose sim --listen … --dashboard …`). */
  attachDevices(devices: DashboardDevices): void;
  close(): Promise<void>;
}

/** The page's files, as the build bundled them (dist/ota/dashboard/public). */
function publicDir(): string {
  const beside = join(import.meta.dirname, 'public');
  // From the sources (the tests run them), the bundle the build made.
  return existsSync(beside) ? beside : join(import.meta.dirname, '..', '..', 'dist', 'ota', 'dashboard', 'public');
}

const types: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/** Nothing on the page comes from anywhere but the gateway: the building has no internet, and the page runs no one else's code. */
const securityHeaders = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * The building's dashboard (docs/dashboard.md): a web page served by the gateway on an address
 * of its own, plain HTTP, showing the building's spaces and boards by health and version, each
 * board's provenance and recent health, rollouts wave by wave, the ledger as a timeline, and
 * the simulated boards' devices, all kept live over server-sent events. Reading is open to
 * whoever reaches the address; acting on a rollout needs the operator's credential
 * (OperatorSessions). ota/dashboard/DashboardApi.ts lists the routes.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { gateway, root } = options;
  const pollMs = options.pollMs ?? 250;
  const quietMs = options.quietMs ?? 5_000;
  const sessions = await OperatorSessions.open(root);
  const history = new HealthHistory(gateway.fleet);
  const archive = new RolloutArchive(root);
  const events = new EventStream();
  const files = publicDir();
  let devices: DashboardDevices | undefined;

  const overview = (): DashboardOverview => dashboardOverview(gateway, devices !== undefined);
  const rollouts = async (): Promise<ReturnType<typeof dashboardRollouts>> => dashboardRollouts(gateway.fleet.rollout, await archive.states());

  // What changed since the last look, sent at most once per poll: a thousand heartbeats a second make four overviews.
  let dirtyOverview = false;
  let dirtyRollouts = false;
  let lastDevices = '';
  let lastSteady = '';
  let lastOverviewAt = 0;
  let lastHead: string | undefined;
  const stopBoards = gateway.fleet.watchBoards(() => (dirtyOverview = true));
  const stopRollout = gateway.fleet.watch(() => {
    dirtyOverview = true;
    dirtyRollouts = true;
  });
  let polling = false;
  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      const head = await ledgerHead(root);
      if (head !== lastHead) {
        lastHead = head;
        events.send('ledger', { head: head ?? null });
        dirtyOverview = true;
      }
      if (events.size === 0) return;
      if (dirtyOverview) {
        const value = overview();
        const steady = JSON.stringify(steadyPart(value));
        const now = Date.now();
        if (steady !== lastSteady || now - lastOverviewAt >= quietMs) {
          dirtyOverview = false;
          lastSteady = steady;
          lastOverviewAt = now;
          events.send('overview', value);
        }
      }
      if (dirtyRollouts) {
        dirtyRollouts = false;
        events.send('rollouts', await rollouts());
      }
      if (devices !== undefined) {
        const view = devices.view();
        const text = JSON.stringify(view);
        if (text !== lastDevices) {
          lastDevices = text;
          events.send('devices', view);
        }
      }
    } finally {
      polling = false;
    }
  };
  const poller = setInterval(() => void poll().catch(() => undefined), pollMs);

  const operatorOnly = (request: IncomingMessage): void => {
    if (!sessions.isOperator(request.headers.cookie)) {
      throw new InputError('dashboard.not-operator', 'only the operator may do that', { hint: "sign in with the operator credential (.osmose/keys/operator.secret on the gateway's machine)", data: {} });
    }
    // A page of another site cannot send JSON here without the browser asking first (and this
    // server never says yes); the SameSite cookie is not sent from there either.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new InputError('dashboard.bad-request', 'an operator action is a JSON request', { hint: 'send Content-Type: application/json', data: {} });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) {
      throw new InputError('dashboard.not-operator', `a request from ${origin} may not act on this building`, { hint: 'use the dashboard served by the gateway itself', data: { origin } });
    }
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://dashboard');
    const method = request.method ?? 'GET';
    const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const path = parts.join('/');
    if (parts[0] !== 'api') {
      if (method !== 'GET' && method !== 'HEAD') throw new OsmoseError('dashboard.no-route', `no route ${method} ${url.pathname}`);
      const name = path === '' || path === 'index.html' ? 'index.html' : path;
      if (!/^[\w.-]+$/.test(name) || !(name in staticFiles(files))) throw new OsmoseError('dashboard.no-route', `no page ${url.pathname}`, { hint: 'open / for the dashboard' });
      const body = await readFile(join(files, name));
      response.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream', 'content-length': body.byteLength, 'cache-control': 'no-cache', ...securityHeaders });
      response.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (method === 'GET' && path === 'api/overview') return sendJson(response, 200, overview());
    if (method === 'GET' && path === 'api/events') {
      events.open(request, response, [
        ['overview', overview()],
        ['rollouts', await rollouts()],
        ...(devices === undefined ? [] : [['devices', devices.view()] as const]),
      ]);
      return;
    }
    if (method === 'GET' && parts[1] === 'boards' && parts.length === 3) return sendJson(response, 200, await dashboardBoardPage(gateway, parts[2] ?? '', history, archive, root));
    if (method === 'GET' && path === 'api/rollouts') return sendJson(response, 200, await rollouts());
    if (method === 'POST' && path === 'api/rollouts') {
      operatorOnly(request);
      await gateway.fleet.startRollout(parseRolloutRequest(await readJsonBody(request, 'dashboard.bad-body')));
      const state = gateway.fleet.rollout;
      return sendJson(response, 200, state === undefined ? null : rolloutSummary(state));
    }
    if (method === 'POST' && parts[1] === 'rollouts' && parts[2] === 'current' && parts.length === 4 && isRolloutVerb(parts[3])) {
      operatorOnly(request);
      const reason = (await readJsonBody(request, 'dashboard.bad-body'))['reason'];
      return sendJson(response, 200, rolloutSummary(await controlRollout(gateway.fleet, parts[3], typeof reason === 'string' ? reason.slice(0, 500) : undefined)));
    }
    if (method === 'GET' && path === 'api/ledger') return sendJson(response, 200, await dashboardLedger(root, await archive.states(), gateway.fleet.boards()));
    if (parts[1] === 'devices') {
      if (devices === undefined) throw new OsmoseError('dashboard.not-simulated', "this gateway's boards are not simulated here: their devices are on the boards", { hint: 'run osmose sim --listen … --dashboard … to see a simulated building' });
      if (method === 'GET' && parts.length === 2) return sendJson(response, 200, devices.view());
      if (method === 'GET' && parts.length === 5 && parts[4] === 'png') {
        const png = devices.png(parts[2] ?? '', parts[3] ?? '');
        response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.byteLength, 'cache-control': 'no-store' });
        response.end(png);
        return;
      }
    }
    if (path === 'api/session') {
      if (method === 'GET') return sendJson(response, 200, { operator: sessions.isOperator(request.headers.cookie) });
      if (method === 'POST') {
        const credential = (await readJsonBody(request, 'dashboard.bad-body'))['credential'];
        if (typeof credential !== 'string' || credential === '') throw new InputError('dashboard.bad-credential', 'sign in with {"credential": "..."}: the operator credential', { hint: 'it is in .osmose/keys/operator.secret of the building', data: {} });
        const id = sessions.signIn(credential);
        response.setHeader('set-cookie', OperatorSessions.cookie(id));
        return sendJson(response, 200, { operator: true });
      }
      if (method === 'DELETE') {
        sessions.signOut(request.headers.cookie);
        response.setHeader('set-cookie', OperatorSessions.cookie(null));
        return sendJson(response, 200, { operator: false });
      }
    }
    throw new OsmoseError('dashboard.no-route', `no route ${method} ${url.pathname}`, { hint: 'ota/dashboard/DashboardApi.ts lists the routes' });
  };

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const typed = isOsmoseError(error) ? error : new OsmoseError('dashboard.internal', error instanceof Error ? error.message : String(error));
      if (response.headersSent) return void response.end();
      sendJson(response, statusOf(typed.code), { error: { code: typed.code, message: typed.message, ...(typed.hint === undefined ? {} : { hint: typed.hint }) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new InputError('dashboard.address-in-use', `--dashboard ${options.listen.host}:${options.listen.port}: something already listens there`, { hint: 'pick another port, or 0 for any free one', data: { ...options.listen } }) : error),
    );
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}/`,
    attachDevices: (attached) => {
      devices = attached;
      dirtyOverview = true;
    },
    close: async () => {
      clearInterval(poller);
      stopBoards();
      stopRollout();
      history.close();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** An overview without what every heartbeat changes: when this is unchanged, the page can wait for the heartbeats. */
function steadyPart(overview: DashboardOverview): unknown {
  return { ...overview, at: null, gateway: { ...overview.gateway, counters: null }, boards: overview.boards.map((board) => ({ ...board, lastHeartbeat: null, heartbeats: null })) };
}

function statusOf(code: string): number {
  if (code === 'dashboard.not-operator') return 401;
  if (code === 'dashboard.bad-credential') return 403;
  if (code === 'dashboard.no-route' || code === 'dashboard.unknown-board' || code === 'dashboard.not-simulated' || code === 'rollout.none' || code.startsWith('sim.unknown') || code === 'sim.wrong-device') return 404;
  if (code === 'rollout.in-progress') return 409;
  if (code === 'dashboard.internal') return 500;
  return 400;
}

let cachedFiles: { readonly dir: string; readonly names: Readonly<Record<string, true>> } | undefined;

/** The bundle's files by name: only these are served, so no path reaches anything else. */
function staticFiles(dir: string): Readonly<Record<string, true>> {
  if (cachedFiles?.dir !== dir) {
    const names = ['index.html', 'app.js', 'app.css', 'app.js.map', 'app.css.map'].filter((name) => existsSync(join(dir, name)));
    cachedFiles = { dir, names: Object.fromEntries(names.map((name) => [name, true] as const)) };
  }
  return cachedFiles.names;
}
