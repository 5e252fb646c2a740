import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardCredentials } from '../image/diskImage/writeBoardCredentials.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import { gatewayControlSocket, serveGatewayControl } from '../ota/gateway/gatewayControlServer.js';
import { pseudonymOfVisit, type Arrival, type PersonErasure, type PersonListing } from '../ota/gateway/peopleRoute.js';
import { peopleRef } from '../ota/people/peopleLayout.js';
import { PeopleRegister } from '../ota/people/PeopleRegister.js';
import { personNeedles } from '../ota/people/personNeedles.js';

// The front desk of a real building: the coworking template built, its gateway running with
// its control socket, and `osmose people` and `osmose erase` driving it in-process. Presence
// is checked in the gateway's directory, which is what boards see; the register is checked
// with system git. The erasure runs with the two boards that hold enclaves booted under their
// update agents, so that Board.erase travels over the real RPC link.

let parent: string;
let root: string;
let gateway: Gateway;
let control: { close(done: () => void): void };
let building: SimBuilding | undefined;
const epoch = Math.floor(Date.now() / 1000);
const enclaveBoards = ['meeting-1-table', 'meeting-2-table'];
/** The person the erasure tests erase: admitted, headed for meeting-2, while the enclave boards are down. */
let eveArrival: Arrival | undefined;

async function osmose(args: readonly string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false });
  return { code, stdout, stderr };
}

async function json<T>(args: readonly string[]): Promise<T> {
  const run = await osmose([...args, '--json']);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const gitOut = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
const handlesIn = (space: string): number[] => gateway.presence.people(space).map((person) => person.handle);
const expectedIn = (space: string): number[] => gateway.presence.expected(space).map((person) => person.handle);

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-people-e2e-'));
  root = join(parent, 'cw');
  expect((await osmose(['init', root, '--template', 'coworking'], parent)).code).toBe(0);
  await buildBuilding({ root, timestamp: epoch - 60 });
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 40, tickMs: 40 });
  control = await serveGatewayControl(gateway, gatewayControlSocket(root));
}, 180_000);

afterAll(async () => {
  await building?.close();
  await new Promise<void>((done) => (control === undefined ? done() : control.close(() => done())));
  await gateway?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('osmose people and osmose erase against a running gateway', () => {
  it('admits at the entrance, prepares the destination, walks, lists and lets people leave', async () => {
    const ada = await json<Arrival>(['people', 'admit', '--badge', 'ADA-1', '--to', 'meeting-1', '--prefer', 'temperature=22.5']);
    expect(ada).toMatchObject({ returning: false, space: 'entrance', destination: 'meeting-1', preferences: { temperature: 22.5 } });
    expect(ada.pseudonym).toMatch(/^p-[a-z2-7]{8}$/);
    // What the boards see: a handle at the entrance with the visit's key and preferences, and the same handle expected in meeting-1.
    const [atDoor] = gateway.presence.people('entrance');
    expect(atDoor).toMatchObject({ handle: ada.handle, destination: 'meeting-1', preferences: { temperature: 22.5 } });
    expect(Buffer.from(atDoor?.publicKey ?? []).toString('base64')).toBe(ada.publicKey);
    expect(expectedIn('meeting-1')).toEqual([ada.handle]);
    expect(pseudonymOfVisit(gateway, ada.handle)).toBe(ada.pseudonym);

    const walk = await osmose(['people', 'move', ada.pseudonym, 'corridor']);
    expect(walk.stdout).toBe(`${ada.pseudonym} walked from entrance to corridor, on the way to meeting-1\n`);
    expect([handlesIn('entrance'), handlesIn('corridor'), expectedIn('meeting-1')]).toEqual([[], [ada.handle], [ada.handle]]);
    expect((await osmose(['people', 'move', ada.pseudonym, 'meeting-1'])).stdout).toBe(`${ada.pseudonym} walked from corridor to meeting-1 (their destination)\n`);
    // Arrived where expected: no longer expected, and the journey is over.
    expect([handlesIn('corridor'), handlesIn('meeting-1'), expectedIn('meeting-1')]).toEqual([[], [ada.handle], []]);
    expect(gateway.presence.people('meeting-1')[0]?.destination).toBe('meeting-1');

    const bo = await json<Arrival>(['people', 'admit', '--badge', 'BO-2']);
    expect(bo.destination).toBeNull();
    const listed = await osmose(['people', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual({
      people: [
        { pseudonym: ada.pseudonym, where: 'meeting-1', destination: null, preferences: { temperature: 22.5 }, admittedAt: expect.any(String) as string },
        { pseudonym: bo.pseudonym, where: 'entrance', destination: null, preferences: {}, admittedAt: expect.any(String) as string },
      ],
    });
    // Never a credential, a sealed key or a badge.
    expect(listed.stdout).not.toMatch(/credential|sealed|ADA-1/);

    // Walking on, nobody sends her back to where she has been.
    expect((await osmose(['people', 'move', ada.pseudonym, 'corridor'])).stdout).toBe(`${ada.pseudonym} walked from meeting-1 to corridor\n`);
    expect(gateway.presence.people('corridor')[0]?.destination).toBe('');
    expect(expectedIn('meeting-1')).toEqual([]);
    expect((await osmose(['people', 'leave', ada.pseudonym])).stdout).toBe(`${ada.pseudonym} left the building from corridor\n`);
    expect([...gateway.presence.spaces().keys()]).toEqual(['entrance']);
    expect(pseudonymOfVisit(gateway, ada.handle)).toBeUndefined();
    // Back another day: the same pseudonym and key, a new visit.
    const again = await json<Arrival>(['people', 'admit', '--badge', 'ADA-1']);
    expect(again).toMatchObject({ pseudonym: ada.pseudonym, publicKey: ada.publicKey, returning: true, preferences: { temperature: 22.5 } });
    expect((await osmose(['people', 'list'])).stdout).toContain(`${ada.pseudonym}  in entrance, prefers 22.5 °C`);
    // The register holds the people, never where they went.
    expect(gitOut('log', '--format=%s', peopleRef).trim().split('\n')).toEqual([`admit ${bo.pseudonym}`, `admit ${ada.pseudonym}`]);
    expect(gitOut('cat-file', '--batch-all-objects', '--batch')).not.toMatch(/ADA-1|BO-2|corridor.*p-/);
  });

  it('refuses a space with no boards, someone not inside, a bad pseudonym, and says when no gateway runs', async () => {
    const cy = await json<Arrival>(['people', 'admit', '--badge', 'CY-3']);
    const typo = await osmose(['people', 'move', cy.pseudonym, 'meeting-9']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('"meeting-9" is not a space of build');
    expect((await osmose(['people', 'admit', '--badge', 'DI-4', '--prefer', 'temperature=90'])).stderr).toContain('from 5 to 35');
    await osmose(['people', 'leave', cy.pseudonym]);
    const out = await osmose(['people', 'leave', cy.pseudonym]);
    expect([out.code, out.stderr]).toEqual([1, expect.stringContaining(`${cy.pseudonym} is not inside the building`)]);
    expect((await osmose(['people', 'move', 'p-aaaaaaaa', 'corridor'])).stderr).toContain('the building knows no p-aaaaaaaa');
    expect((await osmose(['erase', 'bob'])).stderr).toContain('"bob" is not a pseudonym');

    const elsewhere = join(parent, 'no-gateway');
    expect((await osmose(['init', elsewhere, '--template', 'empty'], parent)).code).toBe(0);
    const none = await osmose(['people', 'list'], elsewhere);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no gateway runs for this building');
  });

  it('refuses to erase, changing nothing, while a board that keeps recordings is not connected', async () => {
    const eve = await json<Arrival>(['people', 'admit', '--badge', 'EVE-5', '--to', 'meeting-2']);
    eveArrival = eve;
    const head = gitOut('rev-parse', peopleRef).trim();
    const refused = await osmose(['erase', eve.pseudonym]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('meeting-1-table, meeting-2-table hold enclaves and are not connected');
    // Still inside, still expected, still in the register, the ledger as it was.
    expect(handlesIn('entrance')).toContain(eve.handle);
    expect(expectedIn('meeting-2')).toEqual([eve.handle]);
    expect(gitOut('rev-parse', peopleRef).trim()).toBe(head);
  });

  it('erases a person from the boards and the ledger, verified by scanning every object, and the others stay', async () => {
    building = await SimBuilding.start(root, {
      boardsDir: join(parent, 'boards'),
      only: (board) => enclaveBoards.includes(board),
      agents: {
        gateway: gateway.address(),
        credentials: (board, dir) => writeBoardCredentials(root, board, dir, epoch),
        heartbeatMs: 40,
        health: { heartbeats: 2, timeoutMs: 10_000 },
        reconnect: { baseMs: 20, maxMs: 200 },
      },
    });
    await until('the enclave boards to enrol', () => (enclaveBoards.every((board) => gateway.fleet.boards().find((record) => record.board === board)?.online === true) ? true : undefined));

    const register = await PeopleRegister.open(root);
    const people = await register.list();
    register.close();
    const eve = people.find((person) => person.pseudonym === eveArrival?.pseudonym);
    if (eve === undefined || eveArrival === undefined) throw new Error('nobody to erase');
    const handle = eveArrival.handle;
    const others = people.filter((person) => person !== eve).map((person) => [person.pseudonym, gitOut('show', `${peopleRef}:people/${person.pseudonym}.json`)] as const);
    expect(others.length).toBeGreaterThan(1);

    const run = await osmose(['erase', eve.pseudonym]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`${eve.pseudonym} left the building (from entrance)`);
    expect(run.stdout).toMatch(/meeting-1-table: \d+ recording epochs? removed/);
    expect(run.stdout).toContain(`no object holds ${eve.pseudonym}`);
    // They left first: in no space, expected nowhere, their visit forgotten.
    expect([...gateway.presence.spaces().values()].flat().map((person) => person.handle)).not.toContain(handle);
    expect(expectedIn('meeting-2')).toEqual([]);
    expect(pseudonymOfVisit(gateway, handle)).toBeUndefined();

    // The report, and the same checks made here with system git.
    const listing = await json<{ people: PersonListing[] }>(['people', 'list']);
    expect(listing.people.map((person) => person.pseudonym)).toEqual(others.map(([pseudonym]) => pseudonym));
    for (const [pseudonym, text] of others) expect(gitOut('show', `${peopleRef}:people/${pseudonym}.json`)).toBe(text);
    const objects = execFileSync('git', ['-C', root, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 512 * 1024 * 1024 });
    expect(personNeedles(eve).filter((needle) => objects.includes(Buffer.from(needle.bytes))).map((needle) => needle.what)).toEqual([]);
    gitOut('fsck', '--strict', '--no-dangling');
    // The builds' ledger is untouched: the gateway still serves the build it started with.
    expect(gitOut('rev-parse', 'refs/osmose/builds').trim()).toBe(gateway.fleet.build.commit);

    const erasedAgain = await osmose(['erase', eve.pseudonym, '--json']);
    expect(erasedAgain.code).toBe(1);
    expect(JSON.parse(erasedAgain.stdout)).toMatchObject({ ok: false, error: { code: 'people.unknown', message: `the building knows no ${eve.pseudonym}.` } });
  }, 120_000);

  it('answers the erasure report as JSON', async () => {
    const fay = await json<Arrival>(['people', 'admit', '--badge', 'FAY-6']);
    const report = await json<PersonErasure>(['erase', fay.pseudonym]);
    expect(report).toMatchObject({ pseudonym: fay.pseudonym, left: 'entrance', ledger: { found: [], leftovers: [], ref: peopleRef } });
    expect(report.boards.map((board) => board.board).sort()).toEqual(enclaveBoards);
    expect(report.ledger.objectsScanned).toBe(report.ledger.objectsAfter);
    expect(report.ledger.commitsDropped).toBe(1);
  }, 60_000);
});
