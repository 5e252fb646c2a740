import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestRepository, writeSlot } from '../../test/fixtures/tufRepository.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { SlotName } from './boardDirectory.js';
import { initialBoardState, type BoardState } from './BoardState.js';
import { readBoardState, writeBoardState } from './boardStateFile.js';
import { chooseSlot } from './chooseSlot.js';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const repository = new TestRepository();

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function boardDir(state?: BoardState): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-kernel-'));
  dirs.push(dir);
  await writeFile(join(dir, 'board.json'), JSON.stringify({ format: 1, board: 'door', type: 'sim' }));
  await mkdir(join(dir, 'trust'));
  await writeFile(join(dir, 'trust', 'root.json'), repository.rootBytes);
  if (state !== undefined) await writeBoardState(dir, state);
  return dir;
}

async function installSlot(dir: string, slot: SlotName, options: { board?: string; wasm?: string; version?: number; signedBy?: TestRepository } = {}): Promise<void> {
  const wasm = Buffer.from(options.wasm ?? `module in ${slot}`);
  const config = JSON.stringify({ format: 1, abi: 1, board: { id: 'door', type: 'sim', space: [] }, devices: {}, fragments: [], circuits: [] });
  const image = { board: options.board ?? 'door', config, modules: new Map([['lights', wasm]]), version: options.version ?? 1 };
  await rm(join(dir, slot), { recursive: true, force: true });
  await writeSlot(dir, slot, (options.signedBy ?? repository).slot([image]));
}

const moduleOf = async (dir: string, slot: SlotName): Promise<string> => {
  const manifest = JSON.parse(await readFile(join(dir, slot, 'manifest.json'), 'utf8')) as { signed: { modules: { wasm: string }[] } };
  return join(dir, slot, `${manifest.signed.modules[0]?.wasm}.wasm`);
};

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
      const file = await moduleOf(dir, 'a');
      const bytes = await readFile(file);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      await writeFile(file, bytes);
    }, 'slot.module-digest'],
    ['a truncated module', async (dir: string) => writeFile(await moduleOf(dir, 'a'), 'evil'), 'slot.module-digest'],
    ['a module longer than targets.json records', async (dir: string) => appendFile(await moduleOf(dir, 'a'), 'and more'), 'slot.length'],
    ['a tampered config', (dir: string) => writeFile(join(dir, 'a', 'config.json'), '{}'), 'slot.config-digest'],
    ['a half-written manifest', async (dir: string) => {
      const text = await readFile(join(dir, 'a', 'manifest.json'), 'utf8');
      await writeFile(join(dir, 'a', 'manifest.json'), text.slice(0, text.length / 2));
    }, 'slot.manifest-unreadable'],
    ['a manifest targets.json does not list', async (dir: string) => {
      const envelope = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8')) as { signed: { image: string } };
      envelope.signed.image = sha256('other');
      await writeFile(join(dir, 'a', 'manifest.json'), JSON.stringify(envelope));
    }, 'slot.manifest-digest'],
    ['metadata signed by another repository', (dir: string) => installSlot(dir, 'a', { version: 2, signedBy: new TestRepository() }), 'slot.signature'],
    ['a half-written targets.json', async (dir: string) => {
      const text = await readFile(join(dir, 'a', 'targets.json'), 'utf8');
      await writeFile(join(dir, 'a', 'targets.json'), text.slice(0, text.length / 2));
    }, 'slot.metadata-unreadable'],
    ['a missing timestamp.json', (dir: string) => rm(join(dir, 'a', 'timestamp.json')), 'slot.metadata-missing'],
    ['a missing module', async (dir: string) => rm(await moduleOf(dir, 'a')), 'slot.module-missing'],
    ['a version below the floor', (dir: string) => installSlot(dir, 'a', { version: 1 }), 'slot.below-version-floor'],
  ] as const)('falls back to slot B past %s in slot A', async (_, spoil, code) => {
    const dir = await boardDir({ ...initialBoardState, versionFloor: 2 });
    await installSlot(dir, 'a', { version: 2 });
    await installSlot(dir, 'b', { version: 2 });
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
