import { describe, expect, it } from 'vitest';
import { compileScriptApp } from './compileScriptApp.js';
import { typeCheckScriptApp } from './typeCheckScriptApp.js';

const entry = 'src/index.ts';
const check = (files: Record<string, string>): ReturnType<typeof typeCheckScriptApp> => typeCheckScriptApp(new Map(Object.entries(files)), entry);

const lamp = `import { app, EventKind, gpio, Status } from 'osmose';
import { flip } from './flip.js';

const lamp = gpio.output('lamp');
let lit = false;

app({
  handle(kind) {
    if (kind !== EventKind.Press) return Status.Ignored;
    lit = flip(lit);
    return lamp.write(lit);
  },
});
`;

describe('typeCheckScriptApp', () => {
  it('accepts an app that keeps to the SDK, its own files imported by relative path', async () => {
    expect(await check({ [entry]: lamp, 'src/flip.ts': 'export const flip = (on: boolean): boolean => !on;\n' })).toEqual([]);
  });

  it('finds the type errors esbuild would strip, each at its file, line and column', async () => {
    const issues = await check({
      [entry]: lamp.replace('lamp.write(lit)', 'lamp.write(lit ? 1 : 0)'),
      'src/flip.ts': 'export const flip = (on: boolean): boolean => {\n  const count: number = "twice";\n  return !on && count > 1;\n};\n',
    });
    expect(issues).toEqual([
      { file: 'src/flip.ts', line: 2, column: 9, message: "TS2322: Type 'string' is not assignable to type 'number'." },
      { file: entry, line: 11, column: 23, message: expect.stringMatching(/^TS2345: Argument of type 'number' is not assignable to parameter of type 'boolean'\./) as string },
    ]);
  });

  it('holds an app to strict mode: implicit any, a possibly undefined value', async () => {
    const issues = await check({ [entry]: "import { app } from 'osmose';\nfunction twice(x) { return x * 2; }\nconst seen = new Map<number, number>();\napp({ handle(kind) { return seen.get(kind) + twice(kind); } });\n" });
    expect(issues.map((issue) => [issue.line, issue.message.slice(0, 7)])).toEqual([
      [2, 'TS7006:'],
      [4, 'TS2532:'],
    ]);
  });

  it('gives an app the language and the SDK only: no Node modules, no browser, no missing file', async () => {
    const issues = await check({ [entry]: "import { readFileSync } from 'node:fs';\nimport { x } from './missing.js';\ndocument.title = String(readFileSync) + x;\n" });
    expect(issues.map((issue) => issue.message)).toEqual([
      "TS2307: Cannot find module 'node:fs' or its corresponding type declarations.",
      "TS2307: Cannot find module './missing.js' or its corresponding type declarations.",
      "TS2584: Cannot find name 'document'. Do you need to change your target library? Try changing the 'lib' compiler option to include 'dom'.",
    ]);
  });

  it('knows the SDK by namespace as well: osmose/gpio', async () => {
    expect(await check({ [entry]: "import { output } from 'osmose/gpio';\nimport { app } from 'osmose';\nconst lamp = output('lamp');\napp({ handle() { return lamp.write(true); } });\n" })).toEqual([]);
  });
});

describe('compileScriptApp, on an app that does not type-check', () => {
  it('refuses it with compile.type issues at apps/NAME/src/FILE:LINE:COL, and makes no module', async () => {
    const result = await compileScriptApp({ app: 'lamp', files: new Map([[entry, lamp.replace('let lit = false;', 'let lit: boolean = 0;')], ['src/flip.ts', 'export const flip = (on: boolean): boolean => !on;\n']]) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        code: 'compile.type',
        message: "TS2322: Type 'number' is not assignable to type 'boolean'.",
        file: 'apps/lamp/src/index.ts',
        path: '',
        line: 5,
        column: 5,
        hint: 'osmose type-checks an app in plain TypeScript as tsc --strict does: fix the types the message names',
      },
    ]);
  });
});
