import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresentPerson } from '../../kernel-js/net/gatewayTypes.js';
import { readJsonBody, sendJson } from '../../lib/control/controlSocket.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { GrantSource } from './checkGrant.js';
import type { PresenceDirectory } from './PresenceDirectory.js';

/** A person as the control socket shows and takes them: the key in base64, empty when none. */
export interface PresentPersonJson {
  readonly handle: number;
  readonly destination: string;
  readonly publicKey: string;
}

/**
 * The presence routes of the gateway's control socket, where the entrance system (or an
 * operator, or a test) says who is in a space:
 *
 *     GET    /presence          every space somebody is in, with its people
 *     POST   /presence/SPACE    { people: [{ handle, destination?, publicKey? (base64) }] }: the space's people now
 *     DELETE /presence/SPACE    everyone leaves the space
 *
 * Answers whether the request was one of them. A space no board of the build is in is
 * refused: nobody would ever see it, so it is most likely a typo.
 */
export async function presenceRoute(
  presence: PresenceDirectory,
  build: GrantSource,
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  parts: readonly string[],
): Promise<boolean> {
  if (parts[0] !== 'presence') return false;
  if (method === 'GET' && parts.length === 1) {
    sendJson(response, 200, { spaces: Object.fromEntries([...presence.spaces()].map(([space, people]) => [space, people.map(personJson)])) });
    return true;
  }
  const space = parts[1] ?? '';
  if (parts.length !== 2 || (method !== 'POST' && method !== 'DELETE')) return false;
  if (!build.plan.boards.some((board) => board.space.includes(space))) {
    throw new InputError('presence.unknown-space', `no board of build ${build.commit.slice(0, 12)} is in a space ${JSON.stringify(space)}`, { hint: 'name the id of a space that holds boards, as building.yaml gives it (meeting-1)', data: { space } });
  }
  presence.set(space, method === 'POST' ? parsePeople(await readJsonBody(request, 'gateway.bad-body')) : []);
  sendJson(response, 200, { space, people: presence.people(space).map(personJson) });
  return true;
}

function personJson(person: PresentPerson): PresentPersonJson {
  return { handle: person.handle, destination: person.destination, publicKey: Buffer.from(person.publicKey).toString('base64') };
}

/** `{ people: [...] }`, every entry checked before any is taken; the directory checks the handles. */
function parsePeople(body: Record<string, unknown>): PresentPerson[] {
  const people = body['people'];
  if (!Array.isArray(people)) throw new InputError('presence.bad-body', 'the body must be { "people": [ { "handle": 1, "destination": "meeting-1", "publicKey": "BASE64" } ] }', { hint: 'an empty list (or DELETE) empties the space', data: {} });
  return people.map((entry: unknown, index) => {
    const at = `people[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new InputError('presence.bad-body', `${at} must be an object with a handle`, { data: { index } });
    const { handle, destination = '', publicKey = '' } = entry as Record<string, unknown>;
    if (typeof handle !== 'number') throw new InputError('presence.bad-body', `${at}.handle must be a number`, { data: { index } });
    if (typeof destination !== 'string') throw new InputError('presence.bad-body', `${at}.destination must be a space id (a string)`, { data: { index } });
    if (typeof publicKey !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(publicKey)) throw new InputError('presence.bad-body', `${at}.publicKey must be base64`, { data: { index } });
    return { handle, destination, publicKey: new Uint8Array(Buffer.from(publicKey, 'base64')) };
  });
}
