import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { unlink } from 'node:fs/promises';
import { InputError, isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import type { SimBuilding } from './SimBuilding.js';

/** Where a running `osmose sim` listens, in the building: `.osmose/sim/control.sock`. */
export const simControlSocket = (root: string): string => `${root}/.osmose/sim/control.sock`;

/**
 * The control interface of a running simulated building: HTTP/1.1 on a Unix socket, so only
 * users who may open the building's files can drive it (docs/simulator.md lists the routes).
 *
 *     GET  /boards                           every board: slot, image, health, devices
 *     GET  /devices/BOARD/DEVICE             a device's state (a digital level, a panel's size)
 *     PUT  /devices/BOARD/DEVICE             {"level": 0|1}: drive a digital input
 *     POST /devices/BOARD/DEVICE/press       {"holdMs": n}: a momentary press
 *     GET  /devices/BOARD/DEVICE/png         what a display shows
 *     POST /devices/BOARD/DEVICE/wav         a WAV file played into a microphone
 *     GET  /devices/BOARD/DEVICE/wav         what a speaker has played
 *
 * Errors answer with a status and `{ "error": { code, message, hint } }`.
 */
export async function serveSimControl(building: SimBuilding, socket: string): Promise<Server> {
  await claimSimSocket(socket);
  const server = createServer((request, response) => {
    void route(building, request, response).catch((error: unknown) => {
      const typed = isOsmoseError(error) ? error : new OsmoseError('sim.internal', error instanceof Error ? error.message : String(error));
      const status = typed.code === 'sim.unknown-board' || typed.code === 'sim.unknown-device' || typed.code === 'sim.no-route' ? 404 : typed.code === 'sim.internal' ? 500 : typed.code === 'sim.output' ? 409 : 400;
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

async function route(building: SimBuilding, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sim');
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  const method = request.method ?? 'GET';
  if (method === 'GET' && parts.length === 1 && parts[0] === 'boards') return send(response, 200, { commit: building.commit, boards: building.summaries(), skipped: building.skipped });
  const [top, board = '', device = '', action] = parts;
  if (top === 'devices' && parts.length >= 3) {
    if (parts.length === 3 && method === 'GET') return send(response, 200, building.get(board, device));
    if (parts.length === 3 && method === 'PUT') {
      const level = (await jsonBody(request))['level'];
      if (level !== 0 && level !== 1) throw new InputError('sim.bad-level', `a level is 0 or 1, not ${JSON.stringify(level)}`, { data: { level } });
      return send(response, 200, building.set(board, device, level));
    }
    if (action === 'press' && method === 'POST') {
      const holdMs = (await jsonBody(request))['holdMs'] ?? 100;
      if (typeof holdMs !== 'number' || !Number.isInteger(holdMs) || holdMs < 1 || holdMs > 60_000) {
        throw new InputError('sim.bad-hold', `a press is held 1 to 60000 ms, not ${JSON.stringify(holdMs)}`, { data: { holdMs } });
      }
      return send(response, 200, await building.press(board, device, holdMs));
    }
    if (action === 'png' && method === 'GET') return sendBytes(response, 'image/png', building.png(board, device));
    if (action === 'wav' && method === 'POST') return send(response, 200, { heard: building.injectWav(board, device, await body(request)) });
    if (action === 'wav' && method === 'GET') return sendBytes(response, 'audio/wav', building.speakerWav(board, device));
  }
  throw new OsmoseError('sim.no-route', `no route ${method} ${url.pathname}`, { hint: 'see docs/simulator.md for the control interface' });
}

async function body(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await body(request));
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Refused below.
  }
  throw new InputError('sim.bad-body', 'the request body is not a JSON object', { data: { body: text.slice(0, 200) } });
}

function send(response: ServerResponse, status: number, value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendBytes(response: ServerResponse, type: string, bytes: Uint8Array): void {
  response.writeHead(200, { 'content-type': type, 'content-length': bytes.byteLength });
  response.end(bytes);
}

/**
 * Refuses when a simulator already answers on the socket (before anything of the building is
 * touched); removes a socket left by one that died.
 */
export async function claimSimSocket(socket: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) {
    throw new InputError('sim.already-running', `a simulator already runs this building (it answers on ${socket})`, { hint: 'stop it (Ctrl-C in its shell) or drive it with osmose sim get/set/press', data: { socket } });
  }
  await unlink(socket).catch(() => undefined);
}
