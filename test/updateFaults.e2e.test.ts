import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { privateKeysDir } from '../builder/init/makeRoleKeys.js';
import { readLedgerTree } from '../builder/ledger/readLedgerTree.js';
import { ensureBuildingCa } from '../builder/trust/buildingCa.js';
import { revokeBoard } from '../builder/trust/revokeBoard.js';
import { runCli } from '../cli/runCli.js';
import { ledgerBoards, writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { bundleShim } from '../image/bundleShim.js';
import { boardCredentials } from '../image/diskImage/boardCredentials.js';
import { writeBoardCredentials } from '../image/diskImage/writeBoardCredentials.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { boardFiles } from '../kernel-js/boot/boardDirectory.js';
import { readBoardState } from '../kernel-js/boot/boardStateFile.js';
import { chooseSlot } from '../kernel-js/boot/chooseSlot.js';
import { readSlot } from '../kernel-js/boot/readSlot.js';
import { slotContext } from '../kernel-js/boot/slotContext.js';
import type { FileRef, GatewayEvent } from '../kernel-js/net/gatewayTypes.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import type { BoardRecord } from '../ota/gateway/GatewayFleet.js';
import { gatewayRequest } from '../ota/gateway/gatewayRequest.js';
import { rolloutHistory } from '../ota/rollout/rolloutHistory.js';
import type { RolloutSummary } from '../ota/rollout/rolloutSummary.js';
import { BoardProcess } from './BoardProcess.js';
import { ByteProxy } from './ByteProxy.js';
import { cliMain, CliProcess } from './CliProcess.js';
import { freePort } from './freePort.js';

// The update path under faults, with real processes: each board runs the shim a board's image
// carries (the bundled `osmose boot`) in its own process, under its update agent, over mutual
// TLS to a gateway in this process; power cuts are SIGKILL, network cuts a TCP proxy that
// stops at an exact byte. What must hold: a board killed anywhere boots a verified image, the
// old or the new one, never nothing; and given its power back it finishes the update.
//
// Two builds of the coworking building: v1, which every board directory starts from, and v2,
// which changes every board's configuration (the building's name) and the lights app, so all
// 21 boards take an update: their configuration, manifest and TUF metadata, and for the seven
// lights boards a new wasm of ~70 KB; the other boards' wasm is unchanged and copied from the
// running slot, as "only what changed travels" wants. A third build, whose lights app traps at
// start, comes in the last test.

const run = promisify(execFile);
const env = { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' };
const quiet = { stdout: () => undefined, stderr: () => undefined, env, interactive: false };
const finalStatuses = ['completed', 'completed-with-failures', 'halted', 'aborted'];

let parent: string;
let root: string;
let shim: string;
let gateway: Gateway;
let gatewayClosed = false;
let boards: string[];
const oldImage = new Map<string, string>();
const newImage = new Map<string, string>();
/** Each board's v2 slot files, as the gateway offers them. */
const wanted = new Map<string, readonly FileRef[]>();
const logs: string[] = [];
const events: { board: string; event: GatewayEvent }[] = [];
const processes = new Set<BoardProcess>();
let copies = 0;

const template = (board: string): string => join(parent, 'templates', board);
const lightsApp = (): string => join(root, 'apps', 'lights', 'assembly', 'index.ts');

/**
 * v2 of the lights app: a self-test over a notice of 64 KiB (UTF-16), so that its wasm (~70 KB)
 * spans several TLS records and a download can be cut, and resumed, inside it.
 */
const bigSelfTest = `// A notice big enough that the wasm spans several TLS records.
const notice = "${'osmose fault test '.repeat(1820)}";

export function selftest(): Status {
  return notice.charCodeAt(0) == 111 && notice.charCodeAt(notice.length - 1) == 32 ? Status.Ok : Status.Unavailable;
}
`;

/** A board directory as v1's image left it: a copy of the board's template, its own from now on. */
async function freshCopy(board: string): Promise<string> {
  const dir = join(parent, 'boards', `${board}-${++copies}`);
  await cp(template(board), dir, { recursive: true });
  return dir;
}

function startBoard(dir: string, address: { readonly host: string; readonly port: number } = gateway.address()): BoardProcess {
  const board = BoardProcess.start({ shim, dir, gateway: address });
  processes.add(board);
  void board.exited.then(() => processes.delete(board));
  return board;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rolloutBoard = (board: string) => gateway.fleet.rollout?.boards.find((entry) => entry.board === board);

/**
 * A rollout of v2 that offers each board as it comes online, on its own: every board is
 * offline when it starts, so its one wave passes with all of them deferred, and each is then
 * caught up, gated and committed alone. A live rollout before it is aborted.
 */
async function catchUpRollout(): Promise<void> {
  const live = gateway.fleet.rollout;
  if (live !== undefined && !finalStatuses.includes(live.status)) gateway.fleet.control({ kind: 'abort', at: new Date().toISOString(), reason: 'the next round of fault trials' });
  await until('every board to be offline', () => (gateway.fleet.boards().every((board) => !board.online) ? true : undefined));
  await gateway.fleet.startRollout({ waves: [{ percent: 100 }], maxFailures: { percent: 100 }, windows: [], healthTimeoutMs: 10 * 60_000 });
  await until('the boards to be deferred', () => (gateway.fleet.rollout?.status === 'completed-with-deferred' ? true : undefined));
}

/** The image of the slot the board directory runs now, if it verifies, without booting it. */
function runningImage(dir: string, board: string): { image: string | undefined; confirmed: boolean; awaitingCommit: boolean } {
  const state = readBoardState(dir);
  const reading = readSlot(dir, state.active, slotContext(dir, board, state, new Date()));
  return { image: reading.ok ? reading.slot.manifest.signed.image : undefined, confirmed: state.confirmed, awaitingCommit: state.awaitingCommit === true };
}

/** Converged: the board runs v2, confirmed and committed, and the rollout says so. */
function converged(dir: string, board: string): boolean {
  const running = runningImage(dir, board);
  return running.image === newImage.get(board) && running.confirmed && !running.awaitingCommit && rolloutBoard(board)?.state === 'committed';
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Whether `folder` holds every file of the board's v2 slot, whole. */
async function holdsAll(folder: string, files: readonly FileRef[]): Promise<boolean> {
  for (const file of files) {
    const bytes = await readFile(join(folder, file.name)).catch(() => undefined);
    if (bytes === undefined || bytes.length !== file.length || sha256(bytes) !== file.sha256) return false;
  }
  return true;
}

/** The v2 files a board running v1 lacks, which must come over the network. */
async function lacking(board: string): Promise<FileRef[]> {
  const have = new Set<string>();
  for (const name of await readdir(join(template(board), 'a'))) have.add(sha256(await readFile(join(template(board), 'a', name))));
  return (wanted.get(board) ?? []).filter((file) => !have.has(file.sha256));
}

const downloadedBytes = (board: string): number | undefined => events.findLast((entry) => entry.board === board && entry.event.kind === 'downloaded')?.event.bytes;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-faults-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], { cwd: parent, ...quiet })).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 120 });
  const v1 = await readLedgerTree(root);
  if (v1 === undefined) throw new Error('no build');
  boards = ledgerBoards(v1);
  for (const board of boards) oldImage.set(board, (await writeBoardDirectory(root, board, template(board), v1)).image);
  await writeBoardCredentialsMany(root, boards.map((board) => ({ board, dir: template(board) })), Math.floor(Date.now() / 1000));

  const yaml = join(root, 'building.yaml');
  await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(/^ {2}name: cw$/m, '  name: Coworking (v2)'));
  await writeFile(lightsApp(), `${await readFile(lightsApp(), 'utf8')}\n${bigSelfTest}`);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  shim = (await bundleShim(join(parent, 'boot.mjs'))).file;
  gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs: 40, tickMs: 40, onLog: (line) => logs.push(line), onEvent: (board, event) => events.push({ board, event }) });
  for (const target of gateway.fleet.build.rolloutTargets()) {
    newImage.set(target.board, target.image);
    wanted.set(target.board, (await gateway.fleet.build.slot(target.board)).files);
  }
  for (const board of boards) expect(newImage.get(board), board).not.toBe(oldImage.get(board));
}, 240_000);

afterAll(async () => {
  for (const board of processes) board.kill('SIGKILL');
  await Promise.all([...processes].map((board) => board.exited));
  if (!gatewayClosed) await gateway?.close();
  await rm(parent, { recursive: true, force: true });
});

describe('a board without the right key', () => {
  it('is refused by the gateway and never enrols: a certificate of another building, a certificate for a replaced key, a revoked board', async () => {
    const epoch = Math.floor(Date.now() / 1000);
    // Another building, with a CA of its own, has a board of the same name.
    const other = join(parent, 'other');
    expect(await runCli(['init', other, '--template', 'coworking'], { cwd: parent, ...quiet })).toBe(0);
    const foreign = await boardCredentials(other, 'meeting-2-wall', epoch);
    const foreignDir = await freshCopy('meeting-2-wall');
    await writeFile(join(foreignDir, boardFiles.identityKey), foreign.keyPem, { mode: 0o600 });
    await writeFile(join(foreignDir, boardFiles.identityCert), foreign.certPem);
    // A key this building never recorded for the board, with a certificate its own CA issued for it.
    const replacement = generateKeyPairSync('ed25519').privateKey;
    const issued = await (await ensureBuildingCa(root)).issue({ role: 'board', board: 'meeting-2-table', publicKey: replacement, epoch });
    const replacedDir = await freshCopy('meeting-2-table');
    await writeFile(join(replacedDir, boardFiles.identityKey), replacement.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    await writeFile(join(replacedDir, boardFiles.identityCert), issued.certPem);
    // A board the operator revoked, with its own key and certificate.
    await revokeBoard(root, 'meeting-2-door', { reason: 'stolen from the meeting room' });
    await gateway.reloadIdentities();
    const revokedDir = await freshCopy('meeting-2-door');

    const refusedBefore = gateway.counters.refused;
    const logsBefore = logs.length;
    const intruders = [foreignDir, replacedDir, revokedDir].map((dir) => startBoard(dir));
    const since = (match: RegExp): number => logs.slice(logsBefore).filter((line) => match.test(line)).length;
    // Each keeps knocking (its agent reconnects) and is refused each time.
    await until('each board to be refused twice', () =>
      since(/^refused a TLS handshake/) >= 2 && since(/meeting-2-table is for another key than its recorded identity key/) >= 2 && since(/meeting-2-door was revoked at .*: stolen from the meeting room/) >= 2 ? true : undefined,
    );
    expect(gateway.counters.refused - refusedBefore).toBeGreaterThanOrEqual(6);
    for (const board of ['meeting-2-wall', 'meeting-2-table', 'meeting-2-door']) {
      expect(gateway.fleet.boards().find((record) => record.board === board), board).toMatchObject({ online: false, heartbeats: 0, lastHeartbeat: null });
      expect(events.filter((entry) => entry.board === board)).toEqual([]);
    }
    for (const intruder of intruders) {
      // Still running, never offered anything: refused, not crashed.
      expect(intruder.running).toBe(true);
      expect(intruder.steps.map((step) => step.agentState)).toEqual(['idle']);
      intruder.kill('SIGKILL');
      await intruder.exited;
    }

    // The revoked board gets a new identity the documented way (its key moved away, imaged
    // again): the running gateway lets it in without a restart.
    const keyFile = join(root, privateKeysDir, 'boards', 'meeting-2-door.pem');
    await rename(keyFile, `${keyFile}.revoked`);
    await writeBoardCredentials(root, 'meeting-2-door', template('meeting-2-door'), epoch);
    const returned = startBoard(await freshCopy('meeting-2-door'));
    await until('the board with its new identity to enrol', () => (gateway.fleet.boards().find((record) => record.board === 'meeting-2-door')?.heartbeats ?? 0) > 0 || undefined);
    await returned.stop();
  }, 60_000);
});

/** Where a trial kills its board: on seeing a step of its agent (after a random delay, or none), or at a byte of its download. */
type KillAt = { readonly kind: 'step'; readonly state: string; readonly delayMs: number } | { readonly kind: 'byte'; readonly byte: number; readonly of: number };

/** What the board directory shows after the kill: how far the update had got. */
type DiskState = 'untouched' | 'downloading' | 'staged' | 'swapped' | 'switched' | 'trial' | 'healthy' | 'committed';
const switchedStates: readonly DiskState[] = ['switched', 'trial', 'healthy', 'committed'];

interface Trial {
  readonly board: string;
  readonly dir: string;
  readonly killAt: KillAt;
  readonly disk: DiskState;
  readonly problems: readonly string[];
}

async function diskState(dir: string, board: string): Promise<DiskState> {
  const state = readBoardState(dir);
  if (state.active === 'b') {
    if (!state.confirmed) return state.bootCount === 0 ? 'switched' : 'trial';
    return state.awaitingCommit === true ? 'healthy' : 'committed';
  }
  const files = wanted.get(board) ?? [];
  if (await holdsAll(join(dir, 'b'), files)) return 'swapped';
  if (await holdsAll(join(dir, 'b.staging'), files)) return 'staged';
  return existsSync(join(dir, 'b.staging')) ? 'downloading' : 'untouched';
}

const describeKill = (killAt: KillAt): string => (killAt.kind === 'byte' ? `byte ${killAt.byte} of ${killAt.of}` : `step ${killAt.state}${killAt.delayMs > 0 ? ` + ${killAt.delayMs} ms` : ''}`);

/** Download bytes (TLS included) from the gateway to each board for the whole update, measured in the first round. */
const downloadSize = new Map<string, number>();

/**
 * One power cut: a fresh v1 board directory boots under its agent behind a proxy, takes the
 * offer, and is SIGKILLed where `killAt` says; then the directory is booted as the board's
 * next power-on would (chooseSlot), and what it chose is checked against how far the update got.
 */
async function killTrial(board: string, killAt: KillAt): Promise<Trial> {
  const dir = await freshCopy(board);
  const held: { board?: BoardProcess } = {};
  const proxy = await ByteProxy.start({
    target: gateway.address(),
    limit: killAt.kind === 'byte' ? { kind: 'http', bytes: killAt.byte, per: 'total', then: 'hold' } : undefined,
    onLimit: () => held.board?.kill('SIGKILL'),
  });
  const problems: string[] = [];
  const started = startBoard(dir, proxy.address);
  held.board = started;
  started.onStep((step) => {
    if (step.agentState === 'staged') {
      downloadSize.set(board, proxy.toBoard('http'));
      if (killAt.kind === 'byte') problems.push(`the board got its whole download (${proxy.toBoard('http')} bytes) before the proxy reached byte ${killAt.byte}`);
    }
    if (killAt.kind === 'step' && step.agentState === killAt.state) {
      if (killAt.delayMs === 0) started.kill('SIGKILL');
      else setTimeout(() => started.kill('SIGKILL'), killAt.delayMs);
    }
  });
  const timer = setTimeout(() => {
    problems.push('the board never reached its kill point');
    started.kill('SIGKILL');
  }, 60_000);
  const exit = await started.exited;
  clearTimeout(timer);
  await proxy.close();
  const steps = started.steps.map((step) => step.agentState).join(' ');
  if (exit.signal !== 'SIGKILL') problems.push(`the board exited by itself (${exit.code}): ${started.stderr}`);

  const disk = await diskState(dir, board);
  const why = `${board}, killed at ${describeKill(killAt)} after steps [${steps}], left ${disk}`;
  const choice = await chooseSlot(dir).catch((error: unknown) => error as Error);
  const image = choice instanceof Error ? undefined : choice.slot?.manifest.signed.image;
  if (choice instanceof Error) problems.push(`its next boot threw ${String(choice)}`);
  else if (choice.slot === null) problems.push(`its next boot panicked (row ${choice.row.name}): ${JSON.stringify(choice.state.lastBoot?.refused)}`);
  else if (image !== oldImage.get(board) && image !== newImage.get(board)) problems.push(`its next boot runs image ${image}, neither the old nor the new one`);
  else {
    const switched = switchedStates.includes(disk);
    // Once state.json names the new slot, the new slot must verify whole; before, the old one runs.
    if (image !== (switched ? newImage : oldImage).get(board)) problems.push(`its next boot runs the ${switched ? 'old' : 'new'} image (row ${choice.row.name}, refused ${JSON.stringify(choice.state.lastBoot?.refused)})`);
    // A trial, or a healthy slot the gateway has not committed, must keep the slot it falls back to.
    if (['switched', 'trial', 'healthy'].includes(disk) && choice.state.lastBoot?.refused.a !== undefined) problems.push(`slot a, its fallback, no longer verifies: ${choice.state.lastBoot.refused.a.reason}`);
  }
  if (killAt.kind === 'byte' && (proxy.limitsReached !== 1 || !['untouched', 'downloading'].includes(disk))) problems.push(`a kill at a byte of the download left ${disk} (limit reached ${proxy.limitsReached} times)`);
  if (killAt.kind === 'step' && ['switched', 'trial', 'healthy'].includes(killAt.state) && !switchedStates.includes(disk)) problems.push(`a kill in ${killAt.state} left ${disk}`);
  return { board, dir, killAt, disk, problems: problems.map((problem) => `${why}: ${problem}`) };
}

/** Restarts a killed board on its directory (no proxy) and waits until it has finished the update. */
async function restartUntilConverged(trial: Trial): Promise<string[]> {
  const restarted = startBoard(trial.dir);
  try {
    await until(`${trial.board} to converge`, () => (converged(trial.dir, trial.board) ? true : undefined), 60_000);
    return [];
  } catch (error) {
    return [`${trial.board}, killed at ${describeKill(trial.killAt)} (${trial.disk}), restarted: ${String(error)}; rollout says ${rolloutBoard(trial.board)?.state}, board ${JSON.stringify(runningImage(trial.dir, trial.board))}; it printed\n${restarted.stderr}`];
  } finally {
    await restarted.stop();
  }
}

/** Runs `work` on every item, `concurrency` at a time. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** A small seeded generator (mulberry32), so that a failing run's kill points can be told. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('a board killed (SIGKILL) during an update', () => {
  it('always comes back on a verified image, the old or the new one: 252 kills (every board in each of 12 rounds) in every step of the agent and at random bytes of the download, and those given their power back converge', async () => {
    const seed = Number(process.env['OSMOSE_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const next = random(seed);
    // Steps are killed on sight; "+" ones after up to 30 ms more, to land inside what follows
    // the step (the swap of the staging folder, the restart into the new slot, the heartbeats).
    // The agent steps `verified` and `switched` together once the swap is done, so a kill on
    // `verified` would be one on `switched`; the swap itself is reached from `staged`.
    const stepKills = ['idle', 'downloading', 'staged', 'staged+', 'switched', 'trial', 'trial+', 'healthy', 'healthy+'];
    const rounds = 12;
    const trials: Trial[] = [];
    const problems: string[] = [];
    for (let round = 0; round < rounds; round++) {
      await catchUpRollout();
      // The first round kills every board once it has its download, which measures each board's
      // download for the byte kills of the rounds after.
      const kills: string[] = round === 0 ? boards.map((_, index) => ['staged', 'switched', 'trial', 'healthy'][index % 4] ?? 'staged') : [...stepKills, ...Array.from({ length: boards.length - stepKills.length }, () => 'byte')];
      const order = boards.map((board) => ({ board, key: next() })).sort((x, y) => x.key - y.key);
      const plan = order.map(({ board }, index): { board: string; killAt: KillAt } => {
        const kill = kills[index] ?? 'byte';
        if (kill !== 'byte') return { board, killAt: { kind: 'step', state: kill.replace('+', ''), delayMs: kill.endsWith('+') ? 1 + Math.floor(next() * 30) : 0 } };
        const of = downloadSize.get(board) ?? 0;
        // Any byte but the last 64: those end the last file, so the board is always cut short.
        return { board, killAt: { kind: 'byte', byte: 1 + Math.floor(next() * (of - 64)), of } };
      });
      const last = round === rounds - 1;
      await inPool(plan, 3, async ({ board, killAt }) => {
        const trial = await killTrial(board, killAt);
        trials.push(trial);
        problems.push(...trial.problems);
        // The last round's boards all get their power back: each must finish, and so the rollout.
        if (last && trial.problems.length === 0) problems.push(...(await restartUntilConverged(trial)));
      });
      expect(problems, `seed ${seed}, round ${round}`).toEqual([]);
    }
    await until('the last round\'s rollout to complete', () => (gateway.fleet.rollout?.status === 'completed' ? true : undefined), 20_000);
    expect(trials).toHaveLength(252);
    // Where the kills landed, by how far each update had got on disk.
    const landed = new Set(trials.map((trial) => trial.disk));
    for (const disk of ['untouched', 'downloading', 'trial', 'healthy'] as const) expect(landed, `no kill left a board ${disk}`).toContain(disk);
    const tally = new Map<string, number>();
    for (const trial of trials) {
      const key = `${trial.killAt.kind === 'byte' ? 'byte' : trial.killAt.state} → ${trial.disk}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    console.info(`kill trials (seed ${seed}):\n${[...tally].sort().map(([key, count]) => `  ${key}: ${count}`).join('\n')}`);
  }, 600_000);
});

describe('a download under faults', () => {
  it('resumes after network cuts: every download connection is cut after 24 KiB, and no byte of the image comes twice', async () => {
    await catchUpRollout();
    // A lights board: its new wasm spans several TLS records, the unit in which bytes arrive.
    const board = 'meeting-1-door';
    const need = (await lacking(board)).reduce((sum, file) => sum + file.length, 0);
    expect(need).toBeGreaterThan(64 * 1024);
    const proxy = await ByteProxy.start({ target: gateway.address(), limit: { kind: 'http', bytes: 24 * 1024, per: 'connection', then: 'cut' } });
    const dir = await freshCopy(board);
    const child = startBoard(dir, proxy.address);
    try {
      await until('the board to converge', () => (converged(dir, board) ? true : undefined));
    } finally {
      await child.stop();
      await proxy.close();
    }
    // Cut again and again, yet every byte the board lacked came exactly once: each cut file
    // was resumed where it stopped, never started over.
    expect(proxy.limitsReached).toBeGreaterThanOrEqual(2);
    expect(proxy.connections('http')).toBeGreaterThan(proxy.limitsReached);
    expect(downloadedBytes(board)).toBe(need);
  }, 60_000);

  it('refuses a corrupt file and fetches it again', async () => {
    await catchUpRollout();
    const board = 'open-space-door';
    const need = await lacking(board);
    const file = need.find((candidate) => candidate.name.endsWith('.wasm'));
    expect(file).toBeDefined();
    // The gateway's copy of the file reads with one bit flipped, once (a bad read of its disk
    // or memory); the board must not take it on the gateway's word.
    const bytes = (await gateway.fleet.build.slot(board)).bytes as Map<string, Uint8Array>;
    const read = (name: string): Uint8Array | undefined => Map.prototype.get.call(bytes, name) as Uint8Array | undefined;
    let reads = 0;
    bytes.get = (name: string): Uint8Array | undefined => {
      const real = read(name);
      if (name !== file?.name || real === undefined || ++reads > 1) return real;
      const bad = Uint8Array.from(real);
      bad[bad.length >> 1] = (bad[bad.length >> 1] ?? 0) ^ 0x20;
      return bad;
    };
    try {
      const dir = await freshCopy(board);
      const child = startBoard(dir);
      await until('the board to converge', () => (converged(dir, board) ? true : undefined));
      await child.stop();
    } finally {
      Reflect.deleteProperty(bytes, 'get');
    }
    // Served twice: the corrupt copy, received whole and refused, then the right one.
    expect(reads).toBe(2);
    expect(downloadedBytes(board)).toBe(need.reduce((sum, each) => sum + each.length, 0) + (file?.length ?? 0));
  }, 60_000);
});

/** `osmose ARGS` in the building, the built program in its own process, to its end. */
async function osmose(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliMain(), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('a gateway in its own process (osmose gateway)', () => {
  let address: { readonly host: string; readonly port: number };
  let gatewayProcess: CliProcess | undefined;
  let rollout = '';
  const dirs = new Map<string, string>();
  const running = new Map<string, BoardProcess>();
  const offline = 'open-space-wall';
  const current = (): Promise<RolloutSummary> => gatewayRequest<RolloutSummary>(root, 'GET', '/rollouts/current');
  const offers = (board: string): number => running.get(board)?.steps.filter((step) => step.on === 'offered').length ?? 0;

  async function startGatewayProcess(): Promise<CliProcess> {
    const started = CliProcess.start(['gateway', '--listen', `${address.host}:${address.port}`, '--heartbeat', '40', '--json'], root);
    gatewayProcess = started;
    await started.line((line) => line['event'] === 'gateway');
    return started;
  }

  beforeAll(async () => {
    // The in-process gateway hands the building over: one gateway per building.
    for (const board of processes) board.kill('SIGKILL');
    const live = gateway.fleet.rollout;
    if (live !== undefined && !finalStatuses.includes(live.status)) gateway.fleet.control({ kind: 'abort', at: new Date().toISOString(), reason: 'the gateway moves to its own process' });
    await gateway.close();
    gatewayClosed = true;
    address = { host: '127.0.0.1', port: await freePort() };
    await startGatewayProcess();
  }, 60_000);

  afterAll(async () => {
    gatewayProcess?.kill('SIGKILL');
    await gatewayProcess?.exited;
  });

  it('killed (SIGKILL) mid-rollout, resumes from the ledger where it stood and takes every board to the new image', async () => {
    for (const board of boards.filter((id) => id !== offline)) {
      const dir = await freshCopy(board);
      dirs.set(board, dir);
      running.set(board, startBoard(dir, address));
    }
    await until('the boards to enrol', async () => {
      const status = await gatewayRequest<{ boards: BoardRecord[] }>(root, 'GET', '/status');
      return status.boards.filter((board) => board.online && board.heartbeats > 0).length === dirs.size ? true : undefined;
    });
    const started = await osmose('rollout', '--no-wait', '--waves', '1,25%,100%', '--max-failures', '0', '--health-timeout', '2m', '--json');
    expect(started.code, started.stderr).toBe(0);
    rollout = (JSON.parse(started.stdout) as RolloutSummary).rollout;

    // Mid-rollout: the ledger has the canary's wave passed and the next one started, and boards
    // of that one are under way.
    const first = gatewayProcess as CliProcess;
    const healthy = (): number => first.lines.filter((line) => line['event'] === 'board' && line['kind'] === 'healthy').length;
    await until('the second wave to be under way', async () => {
      if (healthy() < 2) return undefined;
      return (await rolloutHistory(root, { rollout })).some((entry) => entry.text.startsWith('wave 2 of 3 started')) ? true : undefined;
    });
    first.kill('SIGKILL');
    await first.exited;
    const doneBefore = new Set(first.lines.filter((line) => line['event'] === 'board' && line['kind'] === 'committed').map((line) => String(line['board'])));
    expect(doneBefore.size).toBeGreaterThan(0);

    const second = await startGatewayProcess();
    const resumed = await second.line((line) => line['event'] === 'log' && String(line['message']).startsWith(`resumed rollout ${rollout}`), 30_000).catch(async (error: unknown) => {
      // Not resumed: the rollout had ended before the kill (a board failed?), or the gateway did not start. Say which.
      const journal = (await rolloutHistory(root, { rollout, withoutIgnored: false })).map((entry) => `  ${entry.at} ${entry.text}`);
      const boardLines = first.lines.filter((line) => line['event'] === 'board' && !['heartbeat', 'online'].includes(String(line['kind']))).map((line) => `  ${JSON.stringify(line)}`);
      throw new Error([String(error), 'the rollout journal:', ...journal, 'the first gateway heard:', ...boardLines].join('\n'));
    });
    // Where it stood: past the canary's wave, not from the start.
    expect(resumed['message']).toMatch(/\(running, wave [23] of 3\)/);
    const end = await until('the rollout to pass its waves', async () => {
      const summary = await current();
      return summary.status === 'running' ? undefined : summary;
    }, 120_000);
    // For a failure's message: what each board that did not get there went through.
    const unconverged = async (): Promise<string> => {
      const records = (await gatewayRequest<{ boards: BoardRecord[] }>(root, 'GET', '/status')).boards;
      const told: string[] = [];
      for (const [board, dir] of dirs) {
        const now = runningImage(dir, board);
        if (now.image === newImage.get(board) && now.confirmed && !now.awaitingCommit) continue;
        const said = [...first.lines.map((line) => ({ by: 1, line })), ...second.lines.map((line) => ({ by: 2, line }))]
          .filter(({ line }) => line['board'] === board || JSON.stringify(line['message'] ?? '').includes(board))
          .map(({ by, line }) => `    gateway ${by}: ${JSON.stringify(line)}`);
        const journal = (await rolloutHistory(root, { rollout, board, withoutIgnored: false })).map((entry) => `    ${entry.at} ${entry.text}`);
        const steps = running.get(board)?.steps.map((step) => `${step.agentState}(${step.on})`).join(' ');
        told.push([`${board}: ${JSON.stringify(now)}; gateway sees ${JSON.stringify(records.find((record) => record.board === board))}`, `  steps ${steps}`, ...said, '  journal:', ...journal, `  it printed: ${running.get(board)?.stderr ?? ''}`].join('\n'));
      }
      return told.join('\n');
    };
    expect(end, await unconverged()).toMatchObject({ rollout, status: 'completed-with-deferred', failures: [], deferred: [{ board: offline }] });
    expect(end.boards.committed).toBe(dirs.size);
    // The gateway counts a board committed as it sends the commit; the board takes it just after.
    let left = await unconverged();
    for (const deadline = Date.now() + 20_000; left !== '' && Date.now() < deadline; left = await unconverged()) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(left).toBe('');
    // The boards done before the kill were not offered the update again.
    for (const board of doneBefore) expect(offers(board), board).toBe(1);
  }, 180_000);

  it('catches up a board that was offline during the rollout when it returns, and the rollout completes', async () => {
    const dir = await freshCopy(offline);
    dirs.set(offline, dir);
    running.set(offline, startBoard(dir, address));
    const end = await until('the rollout to end', async () => {
      const summary = await current();
      return finalStatuses.includes(summary.status) ? summary : undefined;
    });
    expect(end).toMatchObject({ rollout, status: 'completed', failures: [], deferred: [] });
    expect(end.boards.committed).toBe(boards.length);
    // The gateway counts a board committed as it sends the commit; the board takes it just after.
    await until('the board to take its commit', () => (runningImage(dir, offline).awaitingCommit ? undefined : true));
    expect(runningImage(dir, offline)).toEqual({ image: newImage.get(offline), confirmed: true, awaitingCommit: false });
    expect(offers(offline)).toBe(1);
    // The ledger tells it: deferred while away (never seen by this gateway), offered when it came back, committed.
    const story = await until('the journal to tell the catch-up', async () => {
      const text = (await rolloutHistory(root, { rollout, board: offline })).map((entry) => entry.text).join('\n');
      return /→ committed/.test(text) ? text : undefined;
    });
    expect(story).toMatch(/→ deferred: not seen yet\n[\s\S]*→ offered\n[\s\S]*→ committed/);
  }, 120_000);

  it('rolls back a new image that traps at start, and halts the wave', async () => {
    await writeFile(lightsApp(), `${await readFile(lightsApp(), 'utf8')}\nexport function start(): Status {\n  unreachable();\n  return Status.Ok;\n}\n`);
    await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
    const offered = new Map(boards.map((board) => [board, offers(board)]));
    const result = await osmose('rollout', '--waves', '1,100%', '--max-failures', '0', '--health-timeout', '1m', '--json');
    // Exit status 1: the rollout did not complete.
    expect(result.code, result.stderr).toBe(1);
    const end = JSON.parse(result.stdout) as RolloutSummary;
    expect(end).toMatchObject({ status: 'halted', failures: [{ reason: expect.stringMatching(/did not start/) as unknown }] });
    expect(end.failures).toHaveLength(1);
    const canary = end.failures[0]?.board ?? '';
    // The canary went back to the image it ran, confirmed, on its own; no other board was offered the new one.
    const dir = dirs.get(canary) ?? '';
    await until('the canary to run its image again', () => (runningImage(dir, canary).image === newImage.get(canary) ? true : undefined));
    expect(runningImage(dir, canary)).toEqual({ image: newImage.get(canary), confirmed: true, awaitingCommit: false });
    expect(running.get(canary)?.steps.map((step) => step.agentState)).toContain('reverted');
    for (const board of boards) expect(offers(board) - (offered.get(board) ?? 0), board).toBe(board === canary ? 1 : 0);
  }, 180_000);
});
