import { describe, expect, it } from 'vitest';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { abiDefinition } from '../../userland/abi/abiDefinition.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { readModuleAbiVersion } from '../../userland/abi/versionSection.js';
import { formatIssues } from '../validate/formatIssues.js';
import { compileApp } from './compileApp.js';
import type { CompileResult } from './CompileResult.js';

const lights = `import { EventKind, Status, gpio } from "osmose";

const button = gpio.input("button");
const lamp = gpio.output("lamp");
let lit = false;

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Press || !button.is(source)) return Status.Ignored;
  const status = lamp.write(!lit);
  if (status == Status.Ok) lit = !lit;
  return status;
}
`;

function app(files: Record<string, string>, name = 'lights', source?: string): Promise<CompileResult> {
  return compileApp({ app: name, files: new Map(Object.entries(files)), ...(source === undefined ? {} : { source }) });
}

function issuesOf(result: CompileResult) {
  if (result.ok) throw new Error('expected the compile to fail');
  return result.issues;
}

describe('compileApp', () => {
  it('compiles an app against the SDK into a module that fits the ABI and says its version', async () => {
    const result = await app({ 'assembly/index.ts': lights, 'README.md': '# lights\n' });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(WebAssembly.validate(result.wasm)).toBe(true);
    expect(result.imports.map((entry) => `${entry.module}.${entry.name}`).sort()).toEqual(['config.device', 'gpio.write', 'log.write']);
    expect(result.imports.every((entry) => entry.kind === 'function')).toBe(true);
    const module = readWasmInterface(result.wasm);
    expect(module.exports.map((entry) => entry.name).sort()).toEqual(['_initialize', 'handle', 'memory']);
    expect(readModuleAbiVersion(module)).toBe(abiDefinition.version);
  });

  it('gives the same bytes for the same sources, whatever was compiled in between', async () => {
    const first = await app({ 'assembly/index.ts': lights });
    await app({ 'assembly/index.ts': 'export function handle(kind: i32, source: i32, value: i32): i32 { return kind; }\n' }, 'other');
    const second = await app({ 'assembly/index.ts': lights });
    if (!first.ok || !second.ok) throw new Error('expected both compiles to work');
    expect(Buffer.from(second.wasm).equals(Buffer.from(first.wasm))).toBe(true);
  });

  it('reports a compile error at its file, line and column, with the compiler\'s message', async () => {
    const broken = lights.replace('const status = lamp.write(!lit);', 'const status = lamp.write(brightness);');
    const issues = issuesOf(await app({ 'assembly/index.ts': broken }));
    const line = broken.split('\n').findIndex((text) => text.includes('brightness')) + 1;
    const column = (broken.split('\n')[line - 1] ?? '').indexOf('brightness') + 1;
    expect(issues).toContainEqual(expect.objectContaining({ code: 'compile.error', file: 'apps/lights/assembly/index.ts', line, column }));
    expect(issues.find((issue) => issue.column === column)?.message).toMatch(/brightness/);
    expect(formatIssues(issues)).toContain(`apps/lights/assembly/index.ts:${line}:${column}: error:`);
  });

  it('locates errors in the app\'s other files, under its source folder', async () => {
    const issues = issuesOf(
      await app(
        {
          'assembly/index.ts': 'import { twice } from "./math";\nexport function handle(kind: i32, source: i32, value: i32): i32 { return twice(kind); }\n',
          'assembly/math.ts': 'export function twice(n: i32): i32 {\n  return n * 2 +\n}\n',
        },
        'doubler',
        'apps/tools/doubler',
      ),
    );
    expect(issues[0]).toMatchObject({ code: 'compile.error', file: 'apps/tools/doubler/assembly/math.ts', line: 3, column: 1 });
  });

  it('compiles an app of several files', async () => {
    const result = await app({
      'assembly/index.ts': 'import { twice } from "./math";\nexport function handle(kind: i32, source: i32, value: i32): i32 { return twice(kind); }\n',
      'assembly/math.ts': 'export function twice(n: i32): i32 { return n * 2; }\n',
    }, 'doubler');
    expect(result.ok).toBe(true);
  });

  it('refuses an app without its entry file', async () => {
    expect(issuesOf(await app({ 'index.ts': lights }))).toEqual([expect.objectContaining({ code: 'compile.entry', file: 'apps/lights/assembly/index.ts' })]);
  });

  it('refuses an app that carries node_modules, which would shadow the SDK', async () => {
    const issues = issuesOf(await app({ 'assembly/index.ts': lights, 'assembly/node_modules/osmose/index.ts': '' }));
    expect(issues).toEqual([expect.objectContaining({ code: 'compile.node-modules', file: 'apps/lights/assembly/node_modules/osmose/index.ts' })]);
  });

  it('refuses a module the host could not link: no handle to call', async () => {
    const issues = issuesOf(await app({ 'assembly/index.ts': 'import { gpio } from "osmose";\nconst lamp = gpio.output("lamp");\nexport function go(): void { lamp.write(true); }\n' }));
    expect(issues).toEqual([expect.objectContaining({ code: 'abi.missing-export', file: 'apps/lights/assembly/index.ts' })]);
    expect(issues[0]?.message).toMatch(/^lights does not export handle/);
  });

  it('refuses imports of its own that the ABI lacks or defines otherwise', async () => {
    const own = `@external("net", "fetch") declare function fetch(url: i32): i32;
@external("gpio", "write") declare function write(level: i32): i32;
export function handle(kind: i32, source: i32, value: i32): i32 { return fetch(kind) + write(source); }
`;
    const issues = issuesOf(await app({ 'assembly/index.ts': own }));
    expect(issues.map((issue) => issue.code).sort()).toEqual(['abi.import-signature', 'abi.unknown-module']);
    expect(issues.find((issue) => issue.code === 'abi.import-signature')?.message).toBe('lights imports gpio.write as (i32) -> i32; the ABI defines it as (handle: i32, level: i32) -> i32');
  });

  it('routes AssemblyScript\'s abort, trace and Math.random through the ABI: no env imports', async () => {
    const result = await app({
      'assembly/index.ts': 'export function handle(kind: i32, source: i32, value: i32): i32 {\n  trace("t");\n  assert(kind > 0, "no kind");\n  return <i32>(Math.random() * 3);\n}\n',
    });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(result.imports.map((entry) => `${entry.module}.${entry.name}`).sort()).toEqual(['clock.monotonic', 'log.write']);
  });

  it('turns an abort into a Fatal log line with its place, then a trap', async () => {
    const result = await app({ 'assembly/index.ts': 'export function handle(kind: i32, source: i32, value: i32): i32 {\n  assert(kind > 0, "kind must be positive");\n  return 0;\n}\n' });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    const logged: [number, string][] = [];
    const view: { memory?: WebAssembly.Memory } = {};
    const instance = new WebAssembly.Instance(new WebAssembly.Module(result.wasm), {
      log: { write: (level: number, ptr: number, len: number) => (logged.push([level, new TextDecoder().decode(new Uint8Array(view.memory?.buffer ?? new ArrayBuffer(0), ptr, len))]), 0) },
    });
    view.memory = instance.exports['memory'] as WebAssembly.Memory;
    (instance.exports['_initialize'] as () => void)();
    expect(() => (instance.exports['handle'] as (a: number, b: number, c: number) => number)(0, 0, 0)).toThrow(WebAssembly.RuntimeError);
    expect(logged).toEqual([[abiDefinition.logLevels.Fatal.code, 'kind must be positive at apps/lights/assembly/index.ts:2:3']]);
  });

  it.each([
    [{ app: 'Lights', files: new Map() }],
    [{ app: 'lights', source: '../elsewhere', files: new Map() }],
    [{ app: 'lights', source: '/abs', files: new Map() }],
    [{ app: 'lights', files: new Map([['../index.ts', '']]) }],
    [{ app: 'lights', files: new Map([['assembly\\index.ts', '']]) }],
  ])('refuses input that is not an app: %o', async (input) => {
    await expect(compileApp(input)).rejects.toSatisfy((error: unknown) => error instanceof OsmoseError && error.code === 'compile.bad-input');
  });
});
