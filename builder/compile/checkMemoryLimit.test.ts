import { describe, expect, it } from 'vitest';
import { boardsById } from '../../boards/boardsById.js';
import { wasmModule } from '../../test/fixtures/wasmModule.js';
import { formatIssues } from '../validate/formatIssues.js';
import { checkMemoryLimit } from './checkMemoryLimit.js';

const sim = boardsById.get('sim');
if (sim === undefined) throw new Error('the sim board is missing');

describe('checkMemoryLimit', () => {
  it('accepts a module that starts within the board\'s memory, up to the limit', () => {
    expect(checkMemoryLimit({ app: 'lights', board: 'fw11-door', boardType: sim, wasm: wasmModule({ memory: { initial: 1 } }) })).toEqual([]);
    expect(checkMemoryLimit({ app: 'lights', board: 'fw11-door', boardType: sim, wasm: wasmModule({ memory: { initial: sim.limits.memoryPages } }) })).toEqual([]);
    expect(checkMemoryLimit({ app: 'lights', board: 'fw11-door', boardType: sim, wasm: wasmModule({}) })).toEqual([]);
  });

  it('refuses a module larger than the board allows, with both sizes', () => {
    const issues = checkMemoryLimit({ app: 'recorder', board: 'meeting-1-table', boardType: sim, wasm: wasmModule({ memory: { initial: 300 } }) });
    expect(issues).toEqual([expect.objectContaining({ code: 'size.memory', app: 'recorder', board: 'meeting-1-table', needs: 300, allows: 256, file: 'apps/recorder/assembly/index.ts' })]);
    expect(formatIssues(issues)).toBe(
      'apps/recorder/assembly/index.ts: error: recorder needs 300 pages of memory (18.8 MiB) to start, but board meeting-1-table (sim) allows 256 (16 MiB)\n' +
        "  fix: make recorder's static data smaller, or place it on boards with more memory",
    );
  });

  it('follows each board\'s own limit', () => {
    const small = { id: 'tiny', limits: { memoryPages: 2, eventBudgetMs: 50, cpus: 1 } };
    expect(checkMemoryLimit({ app: 'lights', board: 'b', boardType: small, wasm: wasmModule({ memory: { initial: 3 } }), source: 'apps/x' })[0]?.message).toBe(
      'lights needs 3 pages of memory (192 KiB) to start, but board b (tiny) allows 2 (128 KiB)',
    );
  });
});
