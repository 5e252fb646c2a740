import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import type { SlotName } from './boardDirectory.js';
import { initialBoardState, type BoardState } from './BoardState.js';
import { readBoardState, writeBoardState } from './boardStateFile.js';
import { chooseSlot } from './chooseSlot.js';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const tufKey = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex') } };
const keyid = sha256(canonicalize(tufKey));

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function boardDir(state?: BoardState): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-kernel-'));
  dirs.push(dir);
  await writeFile(join(dir, 'board.json'), JSON.stringify({ format: 1, board: 'door', type: 'sim' }));
  await mkdir(join(dir, 'trust'));
  await writeFile(join(dir, 'trust', 'targets.json'), JSON.stringify(tufKey));
  if (state !== undefined) await writeBoardState(dir, state);
  return dir;
}

async function installSlot(dir: string, slot: SlotName, options: { board?: string; wasm?: string } = {}): Promise<void> {
  const wasm = Buffer.from(options.wasm ?? `module in ${slot}`);
  const config = JSON.stringify({ format: 1, abi: 1, board: { id: 'door', type: 'sim', space: [] }, devices: {}, fragments: [], circuits: [] });
  const signed = {
    format: 1, board: options.board ?? 'door', type: 'sim', image: sha256(slot), config: sha256(config),
    modules: [{ app: 'lights', wasm: sha256(wasm), source: 'x', bytes: wasm.length }],
    source: { commit: null, uncommitted: [] }, toolchain: {},
  };
  const sig = sign(null, Buffer.from(canonicalize(signed)), privateKey).toString('hex');
  await mkdir(join(dir, slot), { recursive: true });
  await writeFile(join(dir, slot, 'manifest.json'), JSON.stringify({ signed, signatures: [{ keyid, sig }] }));
  await writeFile(join(dir, slot, 'config.json'), config);
  await writeFile(join(dir, slot, `${sha256(wasm)}.wasm`), wasm);
}

describe('chooseSlot on a board directory', () => {
  it('boots a confirmed, verifying slot A and records the row', async () => {
    const dir = await boardDir();
    await installSlot(dir, 'a');
    const choice = await chooseSlot(dir);
    expect(choice.row.name).toBe('confirmed');
    expect(choice.slot?.slot).toBe('a');
    expect(choice.slot?.modules.get('lights')).toEqual(new Uint8Array(Buffer.from('module in a')));
    expect((readBoardState(dir)).lastBoot).toMatchObject({ row: 'confirmed', slot: 'a', refused: { b: { code: 'slot.empty', reason: 'slot b: has no manifest.json' } } });
  });

  it('writes nothing when a boot decides what the last one decided, and writes when the decision changes', async () => {
    const dir = await boardDir();
    await installSlot(dir, 'a');
    await chooseSlot(dir, () => new Date('2026-01-01T00:00:00Z'));
    const first = await stat(join(dir, 'state.json'));
    await chooseSlot(dir, () => new Date('2026-01-02T00:00:00Z'));
    const second = await stat(join(dir, 'state.json'));
    expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect(readBoardState(dir).lastBoot?.at).toBe('2026-01-01T00:00:00.000Z');
    // Slot b appears: the refusals differ, so the decision is recorded again.
    await installSlot(dir, 'b');
    await chooseSlot(dir, () => new Date('2026-01-03T00:00:00Z'));
    expect(readBoardState(dir).lastBoot).toMatchObject({ at: '2026-01-03T00:00:00.000Z', refused: {} });
  });

  it('counts trial boots before booting, then rolls back when the trial never confirmed', async () => {
    const dir = await boardDir({ ...initialBoardState, active: 'b', confirmed: false, bootLimit: 2 });
    await installSlot(dir, 'a');
    await installSlot(dir, 'b');
    expect((await chooseSlot(dir)).row.name).toBe('trial');
    expect((readBoardState(dir)).bootCount).toBe(1);
    expect((await chooseSlot(dir)).row.name).toBe('trial');
    const third = await chooseSlot(dir);
    expect(third.row.name).toBe('trial-failed');
    expect(third.slot?.slot).toBe('a');
    expect(readBoardState(dir)).toMatchObject({ active: 'a', confirmed: true, bootCount: 0 });
  });

  it.each([
    ['a tampered module', async (dir: string) => {
      const manifest = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')) as { signed: { modules: { wasm: string }[] } };
      await writeFile(join(dir, 'a', `${manifest.signed.modules[0]?.wasm}.wasm`), 'evil');
    }, 'slot.module-digest'],
    ['a tampered config', (dir: string) => writeFile(join(dir, 'a', 'config.json'), '{}'), 'slot.config-digest'],
    ['a half-written manifest', async (dir: string) => {
      const text = await readFile(join(dir, 'a', 'manifest.json'), 'utf8');
      await writeFile(join(dir, 'a', 'manifest.json'), text.slice(0, text.length / 2));
    }, 'slot.manifest-unreadable'],
    ['a manifest signed by another key', async (dir: string) => {
      const envelope = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')) as { signed: { image: string } };
      envelope.signed.image = sha256('other');
      await writeFile(join(dir, 'a', 'manifest.json'), JSON.stringify(envelope));
    }, 'slot.signature'],
    ['a missing module', async (dir: string) => {
      const manifest = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')) as { signed: { modules: { wasm: string }[] } };
      await rm(join(dir, 'a', `${manifest.signed.modules[0]?.wasm}.wasm`));
    }, 'slot.module-missing'],
    ['a version below the floor', (dir: string) => writeFile(join(dir, 'a', 'version'), '0'), 'slot.below-version-floor'],
    ['a version that is not a number', (dir: string) => writeFile(join(dir, 'a', 'version'), 'two'), 'slot.version-unreadable'],
  ] as const)('falls back to slot B past %s in slot A', async (_, spoil, code) => {
    const dir = await boardDir({ ...initialBoardState, versionFloor: 1 });
    await installSlot(dir, 'a');
    await installSlot(dir, 'b');
    await writeFile(join(dir, 'a', 'version'), '1');
    await writeFile(join(dir, 'b', 'version'), '1');
    await spoil(dir);
    const choice = await chooseSlot(dir);
    expect(choice.row.name).toBe('active-broken');
    expect(choice.slot?.slot).toBe('b');
    expect(choice.state.lastBoot?.refused.a?.code).toBe(code);
  });

  it('refuses a slot built for another board, and panics when no slot verifies', async () => {
    const dir = await boardDir();
    await installSlot(dir, 'a', { board: 'other' });
    const choice = await chooseSlot(dir);
    expect(choice.row.action).toBe('panic');
    expect(choice.slot).toBeNull();
    expect(choice.state.lastBoot?.refused.a).toMatchObject({ code: 'slot.wrong-board', reason: expect.stringMatching(/board other/) as unknown });
  });

  it('replays the saved state after a power cut mid-write: a half-written temp file is ignored', async () => {
    const dir = await boardDir({ ...initialBoardState, active: 'b', confirmed: false, bootCount: 1 });
    await installSlot(dir, 'a');
    await installSlot(dir, 'b');
    await writeFile(join(dir, 'state.json.999.tmp'), '{"format": 1, "active": "a"');
    const choice = await chooseSlot(dir);
    expect(choice.row.name).toBe('trial');
    expect(choice.state).toMatchObject({ active: 'b', bootCount: 2 });
    expect((await readdir(dir)).filter((name) => name.startsWith('state.json.') && name !== 'state.json.999.tmp')).toEqual([]);
  });

  it('starts from the initial state when state.json is corrupt', async () => {
    const dir = await boardDir();
    await writeFile(join(dir, 'state.json'), '{"format": 1, "act');
    await installSlot(dir, 'a');
    expect((await chooseSlot(dir)).slot?.slot).toBe('a');
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toMatchObject({ active: 'a', format: 1 });
  });

  it('refuses a directory that is not a board directory with a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osmose-kernel-'));
    dirs.push(dir);
    const error = await chooseSlot(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('boot.no-board-file');
  });
});
