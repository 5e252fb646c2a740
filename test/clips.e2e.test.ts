import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardConfig, BoardManifest } from '../builder/build/BoardImage.js';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { ledgerRef } from '../builder/ledger/ledgerRef.js';
import { runCli } from '../cli/runCli.js';
import { decodeWav } from '../drivers/index.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { GatewayPresence } from '../kernel-js/agent/GatewayPresence.js';
import { bootBoard, type BootedBoard } from '../kernel-js/boot/bootBoard.js';
import { InputError } from '../lib/OsmoseError.js';
import { BuildFiles } from '../ota/gateway/BuildFiles.js';
import { shippedAppsDir } from '../userland/shippedApps.js';

// Audio clips end to end: the coworking building made by osmose init carries the wayfinding
// and presence apps' clips; osmose build puts them in the images of the boards that run those
// apps, signed like the modules; a booted corridor guide plays the directions to meeting-1,
// aimed, when someone bound there arrives in the corridor; a slot whose clip was tampered with
// does not boot; a clip that is not WAV refuses the build.

let parent: string;
let root: string;
const booted: BootedBoard[] = [];
const directions = ['booth', 'meeting-1', 'meeting-2', 'open-space'];

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-clips-'));
  root = join(parent, 'cw');
  const code = await runCli(['init', root, '--template', 'coworking'], {
    cwd: parent,
    stdout: () => undefined,
    stderr: (text) => process.stderr.write(text),
    env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' },
    interactive: false,
  });
  expect(code).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
}, 120_000);

afterAll(async () => {
  for (const board of booted.splice(0)) await board.close();
  await rm(parent, { recursive: true, force: true });
});

const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const ledgerJson = <T>(path: string): T => JSON.parse(git('show', `${ledgerRef}:${path}`)) as T;
const manifest = (board: string): BoardManifest => ledgerJson<{ signed: BoardManifest }>(`manifests/${board}.json`).signed;
const config = (board: string): BoardConfig => ledgerJson<BoardConfig>(`configs/${board}.json`);
const clipFile = (path: string): Promise<Buffer> => readFile(join(root, 'apps', ...path.split('/')));
const digest = (bytes: Uint8Array): string => execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).split(' ')[0] ?? '';

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function boot(board: string, presence?: GatewayPresence): Promise<BootedBoard> {
  const dir = join(parent, 'boards', board);
  await writeBoardDirectory(root, board, dir);
  const found = await bootBoard(dir, presence === undefined ? {} : { presence });
  booted.push(found);
  await found.settled;
  return found;
}

describe('audio clips in the coworking building', () => {
  it('osmose init copies the shipped apps’ clips byte for byte', async () => {
    for (const path of [...directions.map((room) => `wayfinding/clips/directions/${room}.wav`), 'presence/clips/welcome.wav']) {
      expect(digest(await clipFile(path)), path).toBe(digest(await readFile(join(shippedAppsDir(), ...path.split('/')))));
    }
  });

  it('osmose build stores each clip once, lists it per fragment and per board, and signs it as a target', async () => {
    const ledger = git('ls-tree', '-r', '--name-only', ledgerRef).trim().split('\n');
    const wanted = new Map<string, string>();
    for (const room of directions) wanted.set(`directions/${room}`, digest(await clipFile(`wayfinding/clips/directions/${room}.wav`)));
    const welcome = digest(await clipFile('presence/clips/welcome.wav'));
    expect(ledger.filter((path) => path.startsWith('clips/')).sort()).toEqual([...wanted.values(), welcome].map((d) => `clips/${d}.wav`).sort());
    // The ledger's blob is the app's file.
    expect(digest(execFileSync('git', ['-C', root, 'show', `${ledgerRef}:clips/${welcome}.wav`]))).toBe(welcome);

    // Both corridor guides run wayfinding: the same clips, by the names the app plays.
    for (const board of ['corridor-guide-1', 'corridor-guide-2']) {
      const wayfinding = config(board).fragments.find((fragment) => fragment.app === 'wayfinding');
      expect(wayfinding?.clips).toEqual(Object.fromEntries(wanted));
      expect(manifest(board).clips?.map((clip) => clip.wav)).toEqual([...wanted.values()].sort());
    }
    // The entrance guide runs presence too: its welcome is the presence fragment's, not wayfinding's.
    const entrance = config('entrance-guide');
    expect(entrance.fragments.find((fragment) => fragment.app === 'presence')?.clips).toEqual({ welcome });
    expect(manifest('entrance-guide').clips).toHaveLength(5);
    // A board whose apps ship no clips carries none, and its configuration has no clips key.
    expect(manifest('meeting-1-door').clips).toBeUndefined();
    expect(config('meeting-1-door').fragments.every((fragment) => !('clips' in fragment))).toBe(true);

    const targets = ledgerJson<{ signed: { targets: Record<string, { length: number; hashes: { sha256: string } }> } }>('repository/targets.json').signed.targets;
    const welcomeBytes = await clipFile('presence/clips/welcome.wav');
    expect(targets[`clips/${welcome}.wav`]).toMatchObject({ length: welcomeBytes.length, hashes: { sha256: welcome } });

    // The gateway offers them with the slot, so an update carries them to the board.
    const build = await BuildFiles.open(root);
    const slot = await build.slot('corridor-guide-1');
    expect(slot.files.filter((file) => file.name.endsWith('.wav')).map((file) => file.name).sort()).toEqual([...wanted.values()].sort().map((d) => `${d}.wav`));
  });

  it('a corridor guide plays the directions to meeting-1, aimed, when someone bound there arrives in the corridor', async () => {
    const presence = new GatewayPresence();
    const board = await boot('corridor-guide-1', presence);
    expect(board.watchdog.health().running).toBe(true);
    const speaker = board.sim?.speakers[0];
    if (speaker === undefined) throw new Error('the corridor guide has no simulated speaker');

    presence.apply({ arrived: true, person: { handle: 21, destination: 'meeting-1', publicKey: new Uint8Array() } });
    const plays = await until('the directions to play', () => (speaker.plays().length > 0 ? speaker.plays() : undefined));
    const expected = decodeWav(await clipFile('wayfinding/clips/directions/meeting-1.wav')).samples;
    expect(plays).toEqual([{ aimedAt: 21, samples: expected }]);

    // Someone bound for the booth hears the booth's directions; someone nobody expects hears nothing.
    presence.apply({ arrived: true, person: { handle: 22, destination: 'booth', publicKey: new Uint8Array() } });
    presence.apply({ arrived: true, person: { handle: 23, destination: '', publicKey: new Uint8Array() } });
    await until('the second directions to play', () => (speaker.plays().length > 1 ? true : undefined));
    const booth = decodeWav(await clipFile('wayfinding/clips/directions/booth.wav')).samples;
    expect(speaker.plays().slice(1)).toEqual([{ aimedAt: 22, samples: booth }]);
    expect(board.watchdog.health().stops).toEqual([]);
  });

  it('the entrance guide welcomes an arrival and gives them their directions, both aimed at them', async () => {
    const presence = new GatewayPresence();
    const board = await boot('entrance-guide', presence);
    const speaker = board.sim?.speakers[0];
    if (speaker === undefined) throw new Error('the entrance guide has no simulated speaker');
    presence.apply({ arrived: true, person: { handle: 31, destination: 'open-space', publicKey: new Uint8Array() } });
    const plays = await until('the welcome and the directions', () => (speaker.plays().length >= 2 ? speaker.plays() : undefined));
    const welcome = decodeWav(await clipFile('presence/clips/welcome.wav')).samples;
    const openSpace = decodeWav(await clipFile('wayfinding/clips/directions/open-space.wav')).samples;
    expect(plays.map((play) => play.aimedAt)).toEqual([31, 31]);
    expect(plays.map((play) => play.samples)).toEqual(expect.arrayContaining([welcome, openSpace]));
  });

  it('a slot whose clip was changed after signing does not boot', async () => {
    const dir = join(parent, 'tampered');
    await writeBoardDirectory(root, 'corridor-guide-2', dir);
    const clip = manifest('corridor-guide-2').clips?.[0]?.wav ?? '';
    const file = join(dir, 'a', `${clip}.wav`);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(file, bytes);
    const refused = await bootBoard(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InputError);
    expect(refused).toMatchObject({ code: 'boot.panic', data: { refused: { a: { code: 'slot.clip-digest' } } } });
  });

  it('refuses a build whose clip is not WAV, naming the file, and leaves the ledger as it was', async () => {
    const before = git('rev-parse', ledgerRef).trim();
    const path = join(root, 'apps', 'wayfinding', 'clips', 'directions', 'booth.wav');
    const original = await readFile(path);
    await writeFile(path, 'ID3 an mp3 saved under the wrong name');
    try {
      const error = await buildBuilding({ root }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'build.refused', data: { issues: [{ code: 'clip.not-wav', file: 'apps/wayfinding/clips/directions/booth.wav' }] } });
      expect((error as InputError).data['issues']).toMatchObject([{ message: 'the clip directions/booth of wayfinding is not a 16-bit PCM WAV file: it does not start with a RIFF WAVE header' }]);
      expect(git('rev-parse', ledgerRef).trim()).toBe(before);
    } finally {
      await writeFile(path, original);
    }
  });
});
