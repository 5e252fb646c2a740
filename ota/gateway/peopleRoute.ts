import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import type { PresentPerson } from '../../kernel-js/net/gatewayTypes.js';
import { readJsonBody, sendJson } from '../../lib/control/controlSocket.js';
import { InputError } from '../../lib/OsmoseError.js';
import { checkErasable } from '../people/checkErasable.js';
import { eraseFromLedger, type LedgerErasure } from '../people/eraseFromLedger.js';
import { parseCredential } from '../people/parseCredential.js';
import { parsePreferences } from '../people/parsePreferences.js';
import { PeopleRegister } from '../people/PeopleRegister.js';
import { personPublicKey, type Preferences } from '../people/PersonRecord.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import { finalRolloutStatuses } from '../rollout/rolloutTable.js';
import type { BoardRecord } from './GatewayFleet.js';
import type { PresenceDirectory } from './PresenceDirectory.js';

/** What erasing a person removed from one board's enclave storage (GatewayFleet.eraseMember, one entry a board). */
export interface BoardErasure {
  readonly board: string;
  readonly epochsRemoved: number;
  readonly membershipsRemoved: number;
  readonly activityRemoved: number;
  readonly bytesRemoved: number;
}

/** What POST /erase/PSEUDONYM answers: where the person was, what each board removed, and the ledger's erasure and its verification. */
export interface PersonErasure {
  readonly pseudonym: string;
  /** The space they were in when they were made to leave; null when they were not inside. */
  readonly left: string | null;
  readonly boards: readonly BoardErasure[];
  readonly ledger: LedgerErasure;
}

/** A person as GET /people lists them: never their credential or keys. */
export interface PersonListing {
  readonly pseudonym: string;
  /** The space they are in; null when they are not inside. */
  readonly where: string | null;
  /** Where they are headed; null when not inside or headed nowhere in particular. */
  readonly destination: string | null;
  readonly preferences: Preferences;
  readonly admittedAt: string;
}

/** What POST /people answers: who the person is, and where their visit starts. */
export interface Arrival {
  readonly pseudonym: string;
  /** Raw X25519 public key, base64. */
  readonly publicKey: string;
  readonly returning: boolean;
  readonly preferences: Preferences;
  /** The visit's handle: what boards see instead of the pseudonym, new each visit. */
  readonly handle: number;
  readonly space: string;
  readonly destination: string | null;
}

/** What the people routes need of the gateway (the Gateway itself, in practice). */
export interface PeopleGateway {
  readonly presence: PresenceDirectory;
  readonly fleet: {
    readonly build: { readonly commit: string; readonly plan: BuildPlan };
    readonly rollout: RolloutState | undefined;
    boards(): BoardRecord[];
    eraseMember(publicKey: Uint8Array): Promise<readonly BoardErasure[]>;
  };
}

type Route = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const desks = new WeakMap<object, PeopleDesk>();

/**
 * The pseudonym behind a visit handle, while the visit lasts (undefined otherwise): for the
 * gateway's own reports, such as the simulator's timeline. Boards are only ever given handles.
 */
export function pseudonymOfVisit(gateway: object, handle: number): string | undefined {
  return desks.get(gateway)?.pseudonymOf(handle);
}

/**
 * The people routes of the gateway's control socket (docs/people.md), in front of `next`,
 * which answers every other request:
 *
 *     POST /people                     { badge | password, preferences?, to? }: admit at the entrance
 *     POST /people/PSEUDONYM/move      { to }: into another space, same visit
 *     POST /people/PSEUDONYM/leave     out of the building: every space, every expectation
 *     GET  /people                     everyone in the register, and where each is
 *     POST /erase/PSEUDONYM            leave, then the boards and the ledger forget them
 *
 * A visit (its handle, the space, the destination) is kept in memory only, like the presence
 * directory it feeds: it is never written anywhere. The register's writes and an erasure run
 * one at a time, since the erasure's garbage collection must not meet a half-written commit.
 * The building is found from the control socket, which always sits in it (gatewayControlSocket).
 */
export function peopleRoutes(gateway: PeopleGateway, socket: string, next: Route): Route {
  const desk = deskOf(gateway, buildingOfSocket(socket));
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const answer = await desk.route(request.method ?? 'GET', parts, request);
    if (answer === undefined) return next(request, response);
    sendJson(response, 200, answer);
  };
}

/**
 * The front desk as the entrance board reaches it (Session.admit, ota/gateway/boardSystemCalls.ts).
 * It is the desk of the control socket's people routes, so a badge shown to the entrance board
 * and `osmose people admit` meet the same register and the same visits.
 */
export interface FrontDesk {
  /**
   * Admits a person exactly as POST /people does, from the same body (`{ badge | password,
   * preferences?, to? }`, checked the same way), with the visit starting in `entrance` (the
   * entrance board's own space) rather than the building's first entrance.
   */
  admit(body: Record<string, unknown>, entrance?: string): Promise<Arrival>;
}

/**
 * The gateway's front desk, made on first use: by the control socket's people routes or by the
 * first badge shown to an entrance board, whichever comes first. `root` is the building
 * repository, which holds the register.
 */
export function frontDesk(gateway: PeopleGateway, root: string): FrontDesk {
  const desk = deskOf(gateway, root);
  return { admit: (body, entrance) => desk.admit(body, entrance) };
}

function deskOf(gateway: PeopleGateway, root: string): PeopleDesk {
  let desk = desks.get(gateway);
  if (desk === undefined) {
    desk = new PeopleDesk(gateway, root);
    desks.set(gateway, desk);
  }
  return desk;
}

const socketTail = '/.osmose/gateway/control.sock';

function buildingOfSocket(socket: string): string {
  if (!socket.endsWith(socketTail)) throw new InputError('people.bad-socket', `the people routes serve the control socket of a building (…${socketTail}), not ${socket}`, { data: { socket } });
  return socket.slice(0, -socketTail.length);
}

interface Visit {
  readonly handle: number;
  space: string;
  /** Where they are going; '' once they got there (or when nobody said). */
  destination: string;
  readonly publicKey: Uint8Array;
  readonly preferences: Preferences;
}

/** The gateway's front desk: the register, and the visits of the people inside. */
class PeopleDesk {
  readonly #gateway: PeopleGateway;
  readonly #root: string;
  #register: Promise<PeopleRegister> | undefined;
  readonly #visits = new Map<string, Visit>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(gateway: PeopleGateway, root: string) {
    this.#gateway = gateway;
    this.#root = root;
  }

  /** Who holds the visit `handle` now. */
  pseudonymOf(handle: number): string | undefined {
    for (const [pseudonym, visit] of this.#visits) if (visit.handle === handle) return pseudonym;
    return undefined;
  }

  /** Admits someone, one change at a time with the routes' (FrontDesk.admit). */
  admit(body: Record<string, unknown>, entrance?: string): Promise<Arrival> {
    return this.#one(() => this.#admit(body, entrance));
  }

  /** The answer to a people route, or undefined when the request is not one. */
  async route(method: string, parts: readonly string[], request: IncomingMessage): Promise<unknown> {
    if (parts[0] === 'people') {
      if (parts.length === 1 && method === 'GET') return this.#list();
      if (parts.length === 1 && method === 'POST') {
        const body = await readJsonBody(request, 'people.bad-body');
        return this.#one(() => this.#admit(body));
      }
      if (parts.length === 3 && method === 'POST' && parts[2] === 'move') {
        const body = await readJsonBody(request, 'people.bad-body');
        return this.#one(() => this.#move(parts[1] ?? '', body));
      }
      if (parts.length === 3 && method === 'POST' && parts[2] === 'leave') return this.#one(() => this.#leave(parts[1] ?? ''));
      return undefined;
    }
    if (parts[0] === 'erase' && parts.length === 2 && method === 'POST') return this.#one(() => this.#erase(parts[1] ?? ''));
    return undefined;
  }

  async #admit(body: Record<string, unknown>, at?: string): Promise<Arrival> {
    const credential = parseCredential(body);
    const preferences = body['preferences'] === undefined ? undefined : parsePreferences(body['preferences']);
    const to = body['to'] === undefined ? undefined : this.#space(body['to'], 'to');
    const entrance = at ?? this.#entrance();
    const register = await this.#registerOf();
    const admitted = await register.admit({ ...credential, ...(preferences === undefined ? {} : { preferences }) });
    // Someone who never badged out is back at the door: same visit, now at the entrance.
    const known = this.#visits.get(admitted.pseudonym);
    if (known !== undefined) this.#gateway.presence.forget(known.handle);
    const visit: Visit = { handle: known?.handle ?? this.#newHandle(), space: entrance, destination: to ?? '', publicKey: admitted.publicKey, preferences: admitted.preferences };
    this.#visits.set(admitted.pseudonym, visit);
    this.#gateway.presence.arrive(entrance, presentPerson(visit));
    if (to !== undefined && to !== entrance) this.#gateway.presence.expect(to, presentPerson(visit));
    return {
      pseudonym: admitted.pseudonym,
      publicKey: Buffer.from(admitted.publicKey).toString('base64'),
      returning: admitted.returning,
      preferences: admitted.preferences,
      handle: visit.handle,
      space: entrance,
      destination: to ?? null,
    };
  }

  async #move(pseudonym: string, body: Record<string, unknown>): Promise<{ pseudonym: string; handle: number; from: string; space: string; destination: string | null }> {
    const visit = await this.#visit(pseudonym);
    const to = this.#space(body['to'], 'to');
    const from = visit.space;
    if (to !== from) {
      this.#gateway.presence.leave(from, visit.handle);
      visit.space = to;
      // Arriving where they were expected ends the expectation (the directory does it), and the
      // journey: from there on no guide sends them back to it.
      this.#gateway.presence.arrive(to, presentPerson(visit));
      if (to === visit.destination) {
        visit.destination = '';
        return { pseudonym, handle: visit.handle, from, space: to, destination: to };
      }
    }
    return { pseudonym, handle: visit.handle, from, space: to, destination: visit.destination === '' ? null : visit.destination };
  }

  async #leave(pseudonym: string): Promise<{ pseudonym: string; left: string }> {
    const visit = await this.#visit(pseudonym);
    this.#gateway.presence.forget(visit.handle);
    this.#visits.delete(pseudonym);
    return { pseudonym, left: visit.space };
  }

  async #list(): Promise<{ people: PersonListing[] }> {
    const people = await (await this.#registerOf()).list();
    return {
      people: people.map((person) => {
        const visit = this.#visits.get(person.pseudonym);
        return { pseudonym: person.pseudonym, where: visit?.space ?? null, destination: visit === undefined || visit.destination === '' ? null : visit.destination, preferences: person.preferences, admittedAt: person.admittedAt };
      }),
    };
  }

  async #erase(pseudonym: string): Promise<PersonErasure> {
    const record = await (await this.#registerOf()).get(pseudonym);
    const fleet = this.#gateway.fleet;
    const rollout = fleet.rollout;
    if (rollout !== undefined && !finalRolloutStatuses.includes(rollout.status)) {
      throw new InputError('erase.rollout-in-progress', `rollout ${rollout.spec.id} is ${rollout.status}: an erasure collects the repository's garbage, which must not meet the rollout journal's commits`, {
        hint: 'erase once the rollout has ended (osmose rollout show), or abort it',
        data: { pseudonym, rollout: rollout.spec.id },
      });
    }
    // Every board that keeps recordings must be reached, or it would keep theirs: refused before anything changes.
    const online = new Set(fleet.boards().filter((board) => board.online).map((board) => board.board));
    const offline = fleet.build.plan.boards.filter((board) => Object.values(board.devices).some((device) => device.driver === 'enclave') && !online.has(board.id)).map((board) => board.id);
    if (offline.length > 0) {
      throw new InputError('erase.board-offline', `${offline.join(', ')} ${offline.length === 1 ? 'holds an enclave and is' : 'hold enclaves and are'} not connected to the gateway: ${pseudonym}'s recordings there could not be erased, so nothing was`, {
        hint: 'bring the board back (osmose status shows which are online), then erase again',
        data: { pseudonym, boards: offline },
      });
    }
    await checkErasable(this.#root, record);
    const visit = this.#visits.get(pseudonym);
    if (visit !== undefined) {
      this.#gateway.presence.forget(visit.handle);
      this.#visits.delete(pseudonym);
    }
    const boards = await fleet.eraseMember(personPublicKey(record));
    const ledger = await eraseFromLedger(this.#root, record);
    return { pseudonym, left: visit?.space ?? null, boards, ledger };
  }

  /** Runs `work` after every change before it: the register's commits and an erasure never overlap. */
  #one<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #registerOf(): Promise<PeopleRegister> {
    this.#register ??= PeopleRegister.open(this.#root);
    return this.#register;
  }

  /** The visit of a person inside; `people.unknown` for a pseudonym the register lacks, `people.not-inside` for one who is out. */
  async #visit(pseudonym: string): Promise<Visit> {
    const visit = this.#visits.get(pseudonym);
    if (visit !== undefined) return visit;
    await (await this.#registerOf()).get(pseudonym);
    throw new InputError('people.not-inside', `${pseudonym} is not inside the building`, { hint: 'osmose people admit lets them in at the entrance', data: { pseudonym } });
  }

  /** A space of the build, by id: one that holds boards (else nobody would ever see the person there). */
  #space(value: unknown, field: string): string {
    const plan = this.#gateway.fleet.build.plan;
    const spaces = [...new Set(plan.boards.flatMap((board) => board.space))];
    if (typeof value !== 'string' || !spaces.includes(value)) {
      throw new InputError('people.unknown-space', `${field}: ${JSON.stringify(value)} is not a space of build ${this.#gateway.fleet.build.commit.slice(0, 12)} that holds boards`, {
        hint: `name a space id as building.yaml gives it: ${spaces.slice(0, 8).join(', ')}${spaces.length > 8 ? ', …' : ''}`,
        data: { field },
      });
    }
    return value;
  }

  /** The entrance: the innermost space of the first board placed in a space of kind `entrance`. */
  #entrance(): string {
    const board = this.#gateway.fleet.build.plan.boards.find((candidate) => candidate.place.kind === 'entrance');
    const space = board?.space.at(-1);
    if (space === undefined) {
      throw new InputError('people.no-entrance', 'the building has no space of kind entrance with a board in it: nobody can be admitted', { hint: 'give the entrance kind: entrance in building.yaml, with its door board, and build', data: {} });
    }
    return space;
  }

  #newHandle(): number {
    const taken = new Set([...this.#visits.values()].map((visit) => visit.handle));
    for (;;) {
      const handle = randomInt(1, 0x8000_0000);
      if (!taken.has(handle)) return handle;
    }
  }
}

function presentPerson(visit: Visit): PresentPerson {
  return { handle: visit.handle, destination: visit.destination, publicKey: visit.publicKey, ...(visit.preferences.temperature === undefined ? {} : { preferences: { temperature: visit.preferences.temperature } }) };
}
