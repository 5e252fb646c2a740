import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { validateBuilding, type ValidationResult } from '../builder/validate/validateBuilding.js';
import { maxSourceBytes } from '../builder/validate/SourceFile.js';
import type { ValidationIssue } from '../builder/validate/ValidationIssue.js';
import { expectIssue, summary } from './fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding } from './fixtures/tempBuilding.js';

// Validation end to end: the fixtures in test/fixtures and files written the way a person
// (or a broken editor) might write them.

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

afterEach(removeTempBuildings);

function issuesOf(result: ValidationResult): readonly ValidationIssue[] {
  expect(result.ok, 'the building should be refused').toBe(false);
  return result.issues;
}

/** Every issue's position exists in its file. */
async function expectPositionsInside(root: string, issues: readonly ValidationIssue[]): Promise<void> {
  for (const issue of issues) {
    if (issue.line === undefined) continue;
    const lines = (await readFile(join(root, issue.file), 'utf8')).split('\n');
    expect(issue.line, `${issue.code} at ${issue.path}`).toBeLessThanOrEqual(lines.length);
    expect(issue.column, `${issue.code} at ${issue.path}`).toBeLessThanOrEqual((lines[issue.line - 1]?.length ?? 0) + 1);
  }
}

describe('valid buildings', () => {
  it('accepts the brief\'s example building (location quoted, no undeclared rule)', async () => {
    const result = await validateBuilding(join(fixtures, 'valid'));
    if (!result.ok) throw new Error(summary(result.issues));
    expect(result.building.index.spaces.map((space) => space.id)).toEqual(['f1', 'fw11']);
    expect(result.building.index.devices.map((device) => device.alias)).toEqual(['button', 'lamp', 'screen', 'mic', 'vault']);
    expect(result.building.spec.building.location).toBe('Cambridge, UK');
    expect(result.building.policies).toEqual({ default: 'deny', rules: [{ app: 'lights', allow: ['gpio', 'channel'] }] });
  });

  it('accepts the same building with its policies in policies.yaml', async () => {
    const result = await validateBuilding(join(fixtures, 'valid-policies-file'));
    if (!result.ok) throw new Error(summary(result.issues));
    expect(result.building.policiesFile).toBe('policies.yaml');
    expect(result.building.policies.rules.map((rule) => rule.app)).toEqual(['lights', '*']);
  });

  it('accepts a spaces tree seven levels deep, and places apps at the bottom of it', async () => {
    const result = await validateBuilding(join(fixtures, 'deep'));
    if (!result.ok) throw new Error(summary(result.issues));
    const desk = result.building.index.spaces.find((space) => space.id === 'desk-2');
    const ancestors: string[] = [];
    for (let space = desk?.parent; space !== undefined; space = space.parent) ancestors.push(space.id);
    expect(ancestors).toEqual(['ne-1-q-101', 'ne-1-quiet', 'ne-1', 'north-east', 'north', 'site']);
  });
});

describe('a file with several mistakes of different kinds', () => {
  it('reports all of them in one run, each at its line, node checks and whole-building checks alike', async () => {
    const root = join(fixtures, 'mixed-mistakes');
    const issues = issuesOf(await validateBuilding(root));
    expect(summary(issues)).toBe(
      [
        'building.yaml:13:55 schema.unknown-key spaces[0].spaces[0].boards[0].devices.button.pul',
        'building.yaml:14:46 pin.duplicate spaces[0].spaces[0].boards[0].devices.lamp.pin',
        'building.yaml:15:17 id.duplicate spaces[0].spaces[0].boards[1].id',
        'building.yaml:18:33 device.unsupported spaces[0].spaces[0].boards[1].devices.screen.driver',
        'building.yaml:27:12 policy.unknown-app policies.rules[0].app',
        'building.yaml:28:21 policy.always-granted policies.rules[0].allow[1]',
      ].join('\n'),
    );
    for (const issue of issues) expect(issue.hint, issue.code).toMatch(/\S/);
    expect(issues[0]?.hint).toMatch(/did you mean "pull"/);
    expect(issues[4]?.hint).toMatch(/did you mean "lights"/);
    await expectPositionsInside(root, issues);
  });

  it('keeps positions right seven levels down', async () => {
    const root = join(fixtures, 'deep-mistakes');
    const issues = issuesOf(await validateBuilding(root));
    const deep = 'spaces[0].spaces[0].spaces[0].spaces[0].spaces[0].spaces[0]';
    expect(issues).toHaveLength(5);
    expectIssue(issues, { code: 'duration.invalid', line: 29, column: 85, path: `${deep}.spaces[0].boards[0].devices.button.debounce` });
    expectIssue(issues, { code: 'pin.duplicate', line: 30, column: 66, path: `${deep}.spaces[0].boards[0].devices.lamp.pin` });
    expectIssue(issues, { code: 'schema.unknown-key', line: 30, column: 74, path: `${deep}.spaces[0].boards[0].devices.lamp.colour` });
    const id = expectIssue(issues, { code: 'id.duplicate', line: 31, column: 33, path: `${deep}.spaces[1].id` });
    expect(id.message).toContain('building.yaml:23:33');
    expectIssue(issues, { code: 'device.unsupported', line: 37, column: 53, path: `${deep}.spaces[1].boards[0].devices.screen.driver` });
    await expectPositionsInside(root, issues);
  });
});

describe('files that are not a building description', () => {
  it('refuses a folder without building.yaml', async () => {
    const issues = issuesOf(await validateBuilding(await tempBuilding({ 'README.md': '# not a building\n' })));
    expectIssue(issues, { code: 'file.missing', file: 'building.yaml', path: '' });
  });

  it.each([
    ['an empty file', ''],
    ['a file of blank lines', '\n\n   \n\t\n'],
    ['a file of comments', '# osmose: 1\n# building: { id: b }\n'],
  ])('refuses %s', async (_name, text) => {
    const issues = issuesOf(await validateBuilding(await tempBuilding({ 'building.yaml': text })));
    expect(issues).toHaveLength(1);
    expect(expectIssue(issues, { code: 'file.empty', path: '' }).hint).toContain('osmose init');
  });

  it('refuses a file over 10 MB', async () => {
    const root = await tempBuilding({ 'building.yaml': 'osmose: 1\n' });
    await truncate(join(root, 'building.yaml'), maxSourceBytes + 1);
    expectIssue(issuesOf(await validateBuilding(root)), { code: 'file.too-large', path: '' });
  });

  it('refuses bytes that are not UTF-8, at the bad byte', async () => {
    const text = new TextEncoder().encode('osmose: 1\nbuilding: { id: b, name: "Caf');
    const root = await tempBuilding({ 'building.yaml': Uint8Array.from([...text, 0xe9, ...new TextEncoder().encode('" }\nspaces: []\n')]) });
    const issues = issuesOf(await validateBuilding(root));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'file.not-utf8', line: 2, column: 30, path: '' });
  });

  it.each([
    ['a list', '- osmose: 1\n- building: b\n'],
    ['a scalar', 'osmose\n'],
  ])('refuses %s at the top level', async (_name, text) => {
    const issues = issuesOf(await validateBuilding(await tempBuilding({ 'building.yaml': text })));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'schema.wrong-type', line: 1, column: 1, path: '' });
  });

  it('refuses a file where every line is a syntax error, reporting each', async () => {
    const text = 'osmose: 1\nbuilding: { id: b, name: B\nspaces: [\n  - id: r\n';
    const issues = issuesOf(await validateBuilding(await tempBuilding({ 'building.yaml': text })));
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.code}`)).toEqual(['2:11 yaml.syntax', '3:9 yaml.syntax', '4:3 yaml.syntax']);
  });
});
