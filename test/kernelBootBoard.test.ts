import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialBoardState } from '../kernel-js/boot/BoardState.js';
import { bootBoard, type BootedBoard } from '../kernel-js/boot/bootBoard.js';
import type { KernelBoardConfig } from '../kernel-js/boot/KernelImage.js';
import { uleb } from '../userland/abi/versionSection.js';
import { signedBoardDir } from './fixtures/signedBoardDir.js';
import { section } from './fixtures/wasmModule.js';

// A unikernel with a memory, an _initialize and a handle with the given bodies.
const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
const body = (code: readonly number[]): number[] => [...uleb(code.length + 2), 0x00, ...code, 0x0b];
const unikernel = (initialize: readonly number[]): Uint8Array =>
  Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 0, 0, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [3, ...name('memory'), 0x02, 0, ...name('_initialize'), 0x00, 0, ...name('handle'), 0x00, 1]),
    ...section(10, [2, ...body(initialize), ...body([0x41, 0])]),
  ]);

const config: KernelBoardConfig = {
  format: 1,
  abi: 1,
  board: { id: 'hall', type: 'sim', space: ['b'] },
  devices: {},
  fragments: [{ instance: 'app@hall', app: 'app', bindings: {}, capabilities: [] }],
  circuits: [],
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function boot(wasm: Uint8Array, state?: object): Promise<{ dir: string; board: BootedBoard }> {
  const dir = await signedBoardDir(config, new Map([['app', wasm]]), state);
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const board = await bootBoard(dir, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
  cleanup.push(() => board.close());
  await board.settled;
  return { dir, board };
}

describe('bootBoard', () => {
  it('confirms a slot on trial once its unikernel has started', async () => {
    const { dir, board } = await boot(unikernel([]), { ...initialBoardState, confirmed: false });
    expect((await board.health()).state).toMatchObject({ confirmed: true, bootCount: 0 });
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toMatchObject({ confirmed: true, lastBoot: { row: 'trial' } });
  }, 30_000);

  it("records a stop's reason in state.json, and leaves a trial unconfirmed", async () => {
    const { dir, board } = await boot(unikernel([0x00]), { ...initialBoardState, confirmed: false });
    const health = await board.health();
    expect(health.unikernel.stops.map((stop) => stop.error.code)).toEqual(['kernel.init-trap']);
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as typeof initialBoardState;
    expect(state).toMatchObject({ confirmed: false, bootCount: 1 });
    expect(state.stops).toMatchObject([{ slot: 'a', code: 'kernel.init-trap' }]);
  }, 30_000);
});
