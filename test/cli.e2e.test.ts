import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { matchesJsonSchema, type JsonSchema } from './fixtures/matchesJsonSchema.js';
import { removeTempBuildings, tempBuilding } from './fixtures/tempBuilding.js';
import { runOsmose, type Run } from './fixtures/runOsmose.js';

// The CLI's handling of good and bad input: in-process through runCli, and a few runs of the
// built program (dist/cli/main.js) as a user would start it.

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(repo, 'test', 'fixtures');
const valid = join(fixtures, 'valid');
const mixed = join(fixtures, 'mixed-mistakes');

afterEach(removeTempBuildings);

function osmose(args: readonly string[], cwd: string = repo): Promise<Run> {
  return runOsmose(args, { cwd });
}

/** No line of a stack trace (`    at fn (file:1:2)`) in what the user sees; `  at PATH` is the tree path. */
function expectNoStackTrace(run: Run): void {
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^ {4}at /m);
  expect(run.stderr).not.toMatch(/internal error/);
}

describe('osmose validate', () => {
  it('exits 0 on a valid building', async () => {
    const run = await osmose(['-C', valid, 'validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/valid/);
    expect(run.stderr).toBe('');
  });

  it('exits 0 from a folder inside the building, like git', async () => {
    expect((await osmose(['validate'], join(valid, 'apps', 'lights'))).code).toBe(0);
  });

  it('exits 1 on an invalid building and prints every issue as FILE:LINE:COL: error:', async () => {
    const run = await osmose(['-C', mixed, 'validate']);
    expect(run.code).toBe(1);
    expectNoStackTrace(run);
    const located = run.stderr.split('\n').filter((line) => /^building\.yaml:\d+:\d+: error: /.test(line));
    expect(located.map((line) => /^building\.yaml:(\d+:\d+)/.exec(line)?.[1])).toEqual(['13:55', '14:46', '15:17', '18:33', '27:12', '28:21']);
    // Each issue says where in the tree it is and how to fix it.
    expect(run.stderr.match(/^ {2}at spaces|^ {2}at policies/gm)).toHaveLength(6);
    expect(run.stderr.match(/^ {2}fix: /gm)).toHaveLength(6);
    expect(run.stderr).toMatch(/did you mean "pull"/);
  });

  it('prints issues in a separate policies file with that file\'s name and lines', async () => {
    const building = (await readFile(join(valid, 'building.yaml'), 'utf8')).replace(/^policies:[\s\S]*$/m, 'policies: policies.yaml\n');
    const root = await tempBuilding({ 'building.yaml': building, 'apps/lights/': '', 'policies.yaml': 'rules:\n  - app: lihgts\n' });
    const run = await osmose(['-C', root, 'validate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\.yaml:2:10: error: /m);
  });

  it('--json prints one JSON document listing the issues', async () => {
    const run = await osmose(['-C', mixed, 'validate', '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; issues: { code: string; file: string; line: number; column: number; path: string; hint: string }[] };
    expect(report.ok).toBe(false);
    expect(report.issues.map((issue) => issue.code)).toEqual([
      'schema.unknown-key',
      'pin.duplicate',
      'id.duplicate',
      'device.unsupported',
      'policy.unknown-app',
      'policy.always-granted',
    ]);
    expect(report.issues[1]).toMatchObject({ file: 'building.yaml', line: 14, column: 46, path: 'spaces[0].spaces[0].boards[0].devices.lamp.pin' });
    for (const issue of report.issues) expect(issue.hint).toMatch(/\S/);
  });

  it('--json on a valid building says ok', async () => {
    const run = await osmose(['-C', valid, 'validate', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, issues: [] });
  });

  it('refuses input that would once crash it, without a stack trace', async () => {
    for (const text of ['---\n', '~\n', 'apps: *nope\n', 'spaces: &s [{ id: a, kind: room, spaces: *s }]\n', `${'# header\n'.repeat(40)}osmose: 1\n`]) {
      const root = await tempBuilding({ 'building.yaml': text });
      const run = await osmose(['-C', root, 'validate']);
      expect(run.code, text).toBe(1);
      expectNoStackTrace(run);
    }
  });
});

describe('usage errors and bad directories', () => {
  it.each([
    [['-C', valid, 'validate', '--bogus']],
    [['--bogus', 'validate']],
    [['-C', valid, 'valdate']],
    [['frobnicate']],
    [[]],
  ])('exits 2 for osmose %j', async (args) => {
    const run = await osmose(args);
    expect(run.code).toBe(2);
    expectNoStackTrace(run);
  });

  it('exits 1 with a clear message when -C names a folder that does not exist', async () => {
    const root = await tempBuilding({});
    const run = await osmose(['-C', join(root, 'nowhere'), 'validate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nowhere');
    expect(run.stderr).toMatch(/no such directory/);
    expectNoStackTrace(run);
    const json = await osmose(['-C', join(root, 'nowhere'), 'validate', '--json']);
    expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code).toBe('cli.no-such-directory');
  });

  it('exits 1 with a clear message when -C names a file', async () => {
    const run = await osmose(['-C', join(valid, 'building.yaml'), 'validate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a directory/);
    expectNoStackTrace(run);
  });

  it('exits 1 and names osmose init when -C is not inside a building', async () => {
    const root = await tempBuilding({ 'notes.txt': 'no building here\n' });
    for (const command of ['validate', 'topology']) {
      const run = await osmose(['-C', root, command]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('osmose init');
      expectNoStackTrace(run);
    }
  });
});

describe('osmose topology', () => {
  it('prints the tree of a valid building', async () => {
    const run = await osmose(['-C', valid, 'topology']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toContain('wgb');
    expect(lines.findIndex((line) => line.includes('fw11  room'))).toBeGreaterThan(lines.findIndex((line) => line.includes('f1  floor')));
    expect(run.stdout).toMatch(/\[fw11-door\]\s+rpi4/);
    expect(run.stdout).toMatch(/button: gpio-in pin=GPIO17/);
    expect(run.stdout).toMatch(/vault: enclave/);
  });

  it('--json gives nested spaces, boards and devices', async () => {
    const run = await osmose(['-C', valid, 'topology', '--json']);
    expect(run.code).toBe(0);
    const tree = JSON.parse(run.stdout) as {
      building: { id: string };
      spaces: { id: string; boards: unknown[]; spaces: { id: string; boards: { id: string; board: string; devices: Record<string, { driver: string }> }[] }[] }[];
    };
    expect(tree.building.id).toBe('wgb');
    expect(tree.spaces[0]?.id).toBe('f1');
    expect(tree.spaces[0]?.boards).toEqual([]);
    const room = tree.spaces[0]?.spaces[0];
    expect(room?.boards.map((board) => [board.id, board.board])).toEqual([['fw11-door', 'rpi4'], ['fw11-wall', 'sim']]);
    expect(room?.boards[1]?.devices['screen']?.driver).toBe('display');
  });

  it('exits 1 on an invalid building, listing its problems, without a stack trace', async () => {
    const run = await osmose(['-C', mixed, 'topology']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^building\.yaml:\d+:\d+: error: /m);
    expect(run.stderr).toMatch(/osmose: building\.yaml has \d+ problems/);
    expectNoStackTrace(run);
  });

  it('carries the problems in the JSON error under --json', async () => {
    const run = await osmose(['-C', mixed, 'topology', '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; error: { code: string; data: { issues: { line: number }[] } } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('building.invalid');
    expect(out.error.data.issues.length).toBeGreaterThan(1);
  });
});

describe('osmose schema', () => {
  async function schema(args: readonly string[] = []): Promise<JsonSchema> {
    const run = await osmose(['schema', ...args]);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as JsonSchema;
  }

  it('prints JSON Schemas that accept the valid fixtures', async () => {
    const building = await schema();
    for (const fixture of ['valid', 'valid-policies-file', 'deep']) {
      const data: unknown = parse(await readFile(join(fixtures, fixture, 'building.yaml'), 'utf8'));
      expect(matchesJsonSchema(building, data), fixture).toEqual([]);
    }
    const policies = await schema(['--policies']);
    const data: unknown = parse(await readFile(join(fixtures, 'valid-policies-file', 'policies.yaml'), 'utf8'));
    expect(matchesJsonSchema(policies, data)).toEqual([]);
  });

  it('ships the same schemas in builder/schema, and they accept the valid fixtures too', async () => {
    for (const [file, args, fixture] of [
      ['building.schema.json', [], 'valid/building.yaml'],
      ['policies.schema.json', ['--policies'], 'valid-policies-file/policies.yaml'],
    ] as const) {
      const shipped = JSON.parse(await readFile(join(repo, 'builder', 'schema', file), 'utf8')) as JsonSchema;
      expect(shipped).toEqual(await schema(args));
      expect(matchesJsonSchema(shipped, parse(await readFile(join(fixtures, fixture), 'utf8')))).toEqual([]);
    }
  });

  it('prints JSON Schemas that refuse what validation refuses node by node', async () => {
    const building = await schema();
    const mistakes: unknown = parse(await readFile(join(mixed, 'building.yaml'), 'utf8'));
    const errors = matchesJsonSchema(building, mistakes);
    // The device with the unknown key `pul` fits none of the drivers' settings.
    expect(errors.some((error) => error.includes('devices.button'))).toBe(true);
    expect(matchesJsonSchema(building, { osmose: 2, building: { id: 'b', name: 'B' }, spaces: [] })).not.toEqual([]);
    expect(matchesJsonSchema(await schema(['--policies']), { rules: [{ app: 'x', allow: ['clock'] }] })).not.toEqual([]);
  });
});

describe('the built program (dist/cli/main.js)', () => {
  const main = join(repo, 'dist', 'cli', 'main.js');

  beforeAll(() => {
    // `make test` builds dist first; build it here when the tests run on their own.
    if (!existsSync(main)) execFileSync('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'ignore' });
  });

  function run(args: readonly string[]): Run {
    const result = spawnSync(process.execPath, [main, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  it('exits 0 on a valid building', () => {
    const result = run(['-C', valid, 'validate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid/);
  });

  it('exits 1 on an invalid building, printing each issue and no stack trace', () => {
    const result = run(['-C', mixed, 'validate']);
    expect(result.code).toBe(1);
    expect(result.stderr.match(/^building\.yaml:\d+:\d+: error: /gm)).toHaveLength(6);
    expectNoStackTrace(result);
  });

  it('prints JSON with --json', () => {
    const result = run(['-C', mixed, 'validate', '--json']);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { issues: unknown[] }).issues).toHaveLength(6);
  });

  it('exits 2 on a usage error and 1 on a bad -C', async () => {
    expect(run(['validate', '--no-such-option']).code).toBe(2);
    const root = await tempBuilding({});
    const missing = run(['-C', join(root, 'missing'), 'validate']);
    expect(missing.code).toBe(1);
    expectNoStackTrace(missing);
    const outside = run(['-C', root, 'validate']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('osmose init');
  });
});
