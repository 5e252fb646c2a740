import { describe, expect, it } from 'vitest';
import { checkAbiConformance } from './checkAbiConformance.js';
import type { WasmExport, WasmImport, WasmInterface } from './readWasmInterface.js';

const fn = (params: readonly ('i32' | 'i64')[], results: readonly ('i32' | 'i64')[]) => ({ params, results });

const required: readonly WasmExport[] = [
  { name: 'memory', kind: 'memory' },
  { name: '_initialize', kind: 'function', type: fn([], []) },
  { name: 'handle', kind: 'function', type: fn(['i32', 'i32', 'i32'], ['i32']) },
];

function moduleWith(imports: readonly WasmImport[], exports: readonly WasmExport[] = required): WasmInterface {
  return { imports, exports, memory: { initial: 1, maximum: undefined, imported: false }, customSections: [] };
}

const codes = (module: WasmInterface) => checkAbiConformance(module).map((problem) => `${problem.code} ${problem.subject}`);

describe('checkAbiConformance', () => {
  it('accepts a module that imports ABI functions with their signatures and exports what the host calls', () => {
    const module = moduleWith(
      [
        { module: 'gpio', name: 'write', kind: 'function', type: fn(['i32', 'i32'], ['i32']) },
        { module: 'clock', name: 'now', kind: 'function', type: fn([], ['i64']) },
      ],
      [...required, { name: 'start', kind: 'function', type: fn([], ['i32']) }, { name: 'helper', kind: 'function', type: fn(['i64'], []) }],
    );
    expect(checkAbiConformance(module)).toEqual([]);
  });

  it('refuses imports the ABI does not have, and says where env imports come from', () => {
    const problems = checkAbiConformance(
      moduleWith([
        { module: 'env', name: 'abort', kind: 'function', type: fn(['i32', 'i32', 'i32', 'i32'], []) },
        { module: 'net', name: 'fetch', kind: 'function', type: fn([], ['i32']) },
        { module: 'gpio', name: 'pwm', kind: 'function', type: fn([], ['i32']) },
      ]),
    );
    expect(problems.map((problem) => `${problem.code} ${problem.subject}`)).toEqual(['abi.unknown-module env.abort', 'abi.unknown-module net.fetch', 'abi.unknown-function gpio.pwm']);
    expect(problems[0]?.hint).toMatch(/AssemblyScript/);
    expect(problems[2]?.hint).toBe('"gpio" has read, write');
  });

  it('refuses an import with another signature, showing the ABI\'s', () => {
    const problems = checkAbiConformance(moduleWith([{ module: 'gpio', name: 'write', kind: 'function', type: fn(['i32'], ['i32']) }]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('abi.import-signature');
    expect(problems[0]?.message).toBe('imports gpio.write as (i32) -> i32; the ABI defines it as (handle: i32, level: i32) -> i32');
  });

  it('refuses an import that is not a function', () => {
    expect(codes(moduleWith([{ module: 'config', name: 'read', kind: 'global' }]))).toEqual(['abi.import-kind config.read']);
  });

  it('refuses a module without handle, _initialize or memory, or with them of the wrong kind or signature', () => {
    expect(codes(moduleWith([], []))).toEqual(['abi.missing-export memory', 'abi.missing-export _initialize', 'abi.missing-export handle']);
    const wrong = checkAbiConformance(
      moduleWith([], [
        { name: 'memory', kind: 'function', type: fn([], []) },
        { name: '_initialize', kind: 'function', type: fn([], []) },
        { name: 'handle', kind: 'function', type: fn(['i32'], ['i32']) },
        { name: 'start', kind: 'function', type: fn([], []) },
      ]),
    );
    expect(wrong.map((problem) => `${problem.code} ${problem.subject}`)).toEqual(['abi.export-kind memory', 'abi.export-signature start', 'abi.export-signature handle']);
    expect(wrong[2]?.hint).toBe('declare it as handle(kind: EventKind, source: i32, value: i32): Status');
  });
});
