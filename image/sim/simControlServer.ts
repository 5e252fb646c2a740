import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { claimControlSocket, readBody, readJsonBody, sendBytes, sendJson, serveControlSocket } from '../../lib/control/controlSocket.js';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';
import type { Credential } from '../../kernel-js/net/gatewayTypes.js';
import type { SimBuilding } from './SimBuilding.js';
import type { SimJournal } from './SimJournal.js';

/** Where a running `osmose sim` listens, in the building: `.osmose/sim/control.sock`. */
export const simControlSocket = (root: string): string => `${root}/.osmose/sim/control.sock`;

/**
 * The control interface of a running simulated building: HTTP/1.1 on a Unix socket, so only
 * users who may open the building's files can drive it (docs/simulator.md lists the routes).
 *
 *     GET  /boards                           every board: slot, image, health, devices
 *     POST /boards/BOARD/badge               {badge | password, to?, preferences?}: shown to the board (the entrance admits)
 *     GET  /devices/BOARD/DEVICE             a device's state (a digital level, a panel's size)
 *     PUT  /devices/BOARD/DEVICE             {"level": 0|1}: drive a digital input
 *     POST /devices/BOARD/DEVICE/press       {"holdMs": n}: a momentary press
 *     GET  /devices/BOARD/DEVICE/png         what a display shows
 *     POST /devices/BOARD/DEVICE/wav         a WAV file played into a microphone
 *     GET  /devices/BOARD/DEVICE/wav         what a speaker has played
 *     POST /devices/BOARD/DEVICE/talk        {"channel": 1, "seconds": 1.5}: a talker at that seat of a microphone array
 *     GET  /journal?since=SEQ                what happened since entry SEQ, timed, and every peer host seen
 *     POST /journal                          {"text": "..."}: a note in the journal (the story's teller)
 *
 * Errors answer with a status and `{ "error": { code, message, hint } }`.
 */
export async function serveSimControl(building: SimBuilding, socket: string, journal?: SimJournal): Promise<Server> {
  return serveControlSocket({
    socket,
    route: (request, response) => route(building, journal, request, response),
    statusOf: (code) =>
      code === 'sim.unknown-board' || code === 'sim.unknown-device' || code === 'sim.no-route' ? 404 : code === 'sim.output' ? 409 : code === 'rpc.capability-denied' ? 403 : code === 'agent.not-connected' ? 503 : 400,
    internalCode: 'sim.internal',
    alreadyRunning: () => simAlreadyRunning(socket),
  });
}

async function route(building: SimBuilding, journal: SimJournal | undefined, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sim');
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  const method = request.method ?? 'GET';
  if (parts.length === 1 && parts[0] === 'journal' && journal !== undefined) {
    if (method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? '0');
      if (!Number.isInteger(since) || since < 0) throw new InputError('sim.bad-since', `since is an entry number (0 or more), not ${JSON.stringify(url.searchParams.get('since'))}`, { data: {} });
      return sendJson(response, 200, { entries: journal.since(since), peers: journal.peers() });
    }
    if (method === 'POST') {
      const text = (await readJsonBody(request, 'sim.bad-body'))['text'];
      if (typeof text !== 'string' || text.length === 0 || text.length > 500) throw new InputError('sim.bad-note', 'a note is {"text": "..."} of 1 to 500 characters', { data: {} });
      return sendJson(response, 200, journal.record({ kind: 'note', text }));
    }
  }
  if (method === 'GET' && parts.length === 1 && parts[0] === 'boards') return sendJson(response, 200, { commit: building.commit, boards: building.summaries(), skipped: building.skipped });
  if (method === 'POST' && parts.length === 3 && parts[0] === 'boards' && parts[2] === 'badge') {
    const body = await readJsonBody(request, 'sim.bad-body');
    const to = body['to'];
    if (to !== undefined && typeof to !== 'string') throw new InputError('sim.bad-body', `to is a space id, such as "meeting-1"; got ${JSON.stringify(to)}`, { data: { field: 'to' } });
    const temperature = preferredTemperature(body['preferences']);
    return sendJson(response, 200, await building.badge(parts[1] ?? '', credentialOf(body), { ...(to === undefined ? {} : { to }), ...(temperature === undefined ? {} : { temperature }) }));
  }
  const [top, board = '', device = '', action] = parts;
  if (top === 'devices' && parts.length >= 3) {
    if (parts.length === 3 && method === 'GET') return sendJson(response, 200, building.get(board, device));
    if (parts.length === 3 && method === 'PUT') {
      const level = (await readJsonBody(request, 'sim.bad-body'))['level'];
      if (level !== 0 && level !== 1) throw new InputError('sim.bad-level', `a level is 0 or 1, not ${JSON.stringify(level)}`, { data: { level } });
      return sendJson(response, 200, building.set(board, device, level));
    }
    if (action === 'press' && method === 'POST') {
      const holdMs = (await readJsonBody(request, 'sim.bad-body'))['holdMs'] ?? 100;
      if (typeof holdMs !== 'number' || !Number.isInteger(holdMs) || holdMs < 1 || holdMs > 60_000) {
        throw new InputError('sim.bad-hold', `a press is held 1 to 60000 ms, not ${JSON.stringify(holdMs)}`, { data: { holdMs } });
      }
      return sendJson(response, 200, await building.press(board, device, holdMs));
    }
    if (action === 'png' && method === 'GET') return sendBytes(response, 'image/png', building.png(board, device));
    if (action === 'talk' && method === 'POST') {
      const body = await readJsonBody(request, 'sim.bad-body');
      const channel = body['channel'] ?? 1;
      const seconds = body['seconds'] ?? 1;
      if (typeof channel !== 'number' || typeof seconds !== 'number') throw new InputError('sim.bad-body', 'a talk is {"channel": 1, "seconds": 1.5}', { data: {} });
      return sendJson(response, 200, { heard: await building.talk(board, device, channel, seconds) });
    }
    if (action === 'wav' && method === 'POST') return sendJson(response, 200, { heard: building.injectWav(board, device, await readBody(request)) });
    if (action === 'wav' && method === 'GET') return sendBytes(response, 'audio/wav', building.speakerWav(board, device));
  }
  throw new OsmoseError('sim.no-route', `no route ${method} ${url.pathname}`, { hint: 'see docs/simulator.md for the control interface' });
}

/** Exactly one of badge and password, a non-empty string; refused without echoing it (it is a secret). */
function credentialOf(body: Record<string, unknown>): Credential {
  const { badge, password } = body;
  if (typeof badge === 'string' && badge !== '' && password === undefined) return { badge };
  if (typeof password === 'string' && password !== '' && badge === undefined) return { password };
  throw new InputError('sim.bad-credential', 'show one credential: {"badge": "ID"} or {"password": "..."}, a non-empty string, not both', { hint: 'osmose sim badge BOARD ID', data: {} });
}

/** The temperature of `{ "temperature": 22.5 }` (°C), or undefined for none; the gateway checks its range. */
function preferredTemperature(preferences: unknown): number | undefined {
  if (preferences === undefined || preferences === null) return undefined;
  if (typeof preferences !== 'object' || Array.isArray(preferences)) throw new InputError('sim.bad-preferences', 'preferences is an object such as {"temperature": 22.5}', { data: {} });
  for (const key of Object.keys(preferences)) {
    if (key !== 'temperature') throw new InputError('sim.bad-preferences', `preferences.${key} is not a preference the building knows`, { hint: 'the only preference is temperature (°C)', data: { key } });
  }
  const temperature = (preferences as { temperature?: unknown }).temperature;
  if (temperature === undefined) return undefined;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature)) throw new InputError('sim.bad-preferences', `preferences.temperature is a number of °C, such as 22.5; got ${JSON.stringify(temperature)}`, { data: { key: 'temperature' } });
  return temperature;
}

/**
 * Refuses when a simulator already answers on the socket (before anything of the building is
 * touched); removes a socket left by one that died.
 */
export async function claimSimSocket(socket: string): Promise<void> {
  await claimControlSocket(socket, () => simAlreadyRunning(socket));
}

function simAlreadyRunning(socket: string): InputError {
  return new InputError('sim.already-running', `a simulator already runs this building (it answers on ${socket})`, { hint: 'stop it (Ctrl-C in its shell) or drive it with osmose sim get/set/press', data: { socket } });
}
