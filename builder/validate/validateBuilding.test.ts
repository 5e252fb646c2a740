import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import { expectIssue, summary } from '../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../test/fixtures/tempBuilding.js';
import { loadBuilding, validateBuilding, type ValidationResult } from './validateBuilding.js';
import type { ValidationIssue } from './ValidationIssue.js';

afterEach(removeTempBuildings);

const building = yaml`
  osmose: 1
  building: { id: b, name: B }
  spaces:
    - id: fw11
      kind: room
      boards:
        - id: fw11-door
          board: sim
          devices:
            button: { driver: gpio-in, pin: GPIO17 }
            lamp: { driver: gpio-out, pin: GPIO27 }
  apps:
    - name: lights
      source: apps/lights
      place: { kind: room }
      needs: [button, lamp]
`;

async function validate(files: Record<string, string | Uint8Array>): Promise<ValidationResult> {
  return validateBuilding(await tempBuilding({ 'apps/lights/': '', ...files }));
}

function issuesOf(result: ValidationResult): readonly ValidationIssue[] {
  expect(result.ok, 'the building should be refused').toBe(false);
  return result.issues;
}

describe('validateBuilding', () => {
  it('accepts a valid building and returns it, with the policy default filled in', async () => {
    const result = await validate({ 'building.yaml': `${building}policies:\n  rules:\n    - { app: lights, allow: [gpio] }\n` });
    if (!result.ok) throw new Error(summary(result.issues));
    expect(result.issues).toEqual([]);
    expect(result.building.policies).toEqual({ default: 'deny', rules: [{ app: 'lights', allow: ['gpio'] }] });
    expect(result.building.policiesFile).toBe('building.yaml');
    expect(result.building.index.boards.map((board) => board.id)).toEqual(['fw11-door']);
    expect(result.building.spec.apps?.[0]?.name).toBe('lights');
  });

  it('accepts a building with no policies at all', async () => {
    const result = await validate({ 'building.yaml': building });
    expect(result.ok && result.building.policies).toEqual({ default: 'deny', rules: [] });
  });

  it('refuses a folder without building.yaml', async () => {
    const issues = issuesOf(await validate({}));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'file.missing', file: 'building.yaml', path: '' });
  });

  it('returns syntax errors in reading order (yaml reports some of them late)', async () => {
    const text = 'osmose: 1\nbuilding: { id: a, name: b }\nspaces:\n  - id: f1\n    kind: floor\n\tboards: []\n  - id: f2\n    kind: floor\n    kind: room\n    id: x: y\n';
    const issues = issuesOf(await validate({ 'building.yaml': text }));
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.code}`)).toEqual([
      '6:1 yaml.syntax',
      '7:1 yaml.syntax',
      '7:3 yaml.syntax',
      '7:3 yaml.syntax',
      '9:5 yaml.duplicate-key',
      '10:5 yaml.duplicate-key',
      '10:9 yaml.syntax',
    ]);
  });

  describe('odd documents are refused, never thrown', () => {
    it.each([
      ['a document marker only', '---\n', 'file.empty'],
      ['an explicit null', '~\n', 'schema.wrong-type'],
      ['an empty list', '[]\n', 'schema.wrong-type'],
      ['a number', '42\n', 'schema.wrong-type'],
      ['spaces: null', 'osmose: 1\nbuilding: { id: b, name: B }\nspaces:\n', 'schema.wrong-type'],
      ['policies: 5', 'osmose: 1\nbuilding: { id: b, name: B }\nspaces: []\npolicies: 5\n', 'policy.bad-reference'],
      ['a board with no devices and an app with no needs', 'osmose: 1\nbuilding: { id: b, name: B }\nspaces: [{ id: r, kind: room, boards: [{ id: x, board: sim }] }]\napps: [{ name: a, source: nope, place: { kind: room } }]\n', 'app.source-missing'],
    ])('%s', async (_name, text, code) => {
      const issues = issuesOf(await validate({ 'building.yaml': text }));
      expect(issues.map((issue) => issue.code)).toEqual([code]);
      expect(issues[0]?.hint).toMatch(/\S/);
    });
  });

  describe('policies in their own file', () => {
    it('reads and returns them', async () => {
      const result = await validate({
        'building.yaml': `${building}policies: policies.yaml\n`,
        'policies.yaml': 'default: deny\nrules:\n  - app: lights\n    allow: [gpio, channel]\n',
      });
      if (!result.ok) throw new Error(summary(result.issues));
      expect(result.building.policiesFile).toBe('policies.yaml');
      expect(result.building.policies.rules).toEqual([{ app: 'lights', allow: ['gpio', 'channel'] }]);
      expect(result.building.spec.policies).toEqual(result.building.policies);
    });

    it('points problems into the policies file with its own line numbers, after building.yaml\'s', async () => {
      const result = await validate({
        'building.yaml': `${building.replace('pin: GPIO27', 'pin: GPIO17')}policies: policies.yaml\n`,
        'policies.yaml': yaml`
          # Policies of the building.
          default: deny
          rules:
            - app: lights
              allow: [gpio, clock]
            - app: recorder
              retain: 1 day
              where: { kind: rom }
        `,
      });
      const issues = issuesOf(result);
      expect(issues.map((issue) => issue.file)).toEqual(['building.yaml', 'policies.yaml', 'policies.yaml', 'policies.yaml', 'policies.yaml']);
      expectIssue(issues, { code: 'pin.duplicate', file: 'building.yaml', line: 11, column: 42, path: 'spaces[0].boards[0].devices.lamp.pin' });
      expectIssue(issues, { code: 'policy.always-granted', file: 'policies.yaml', line: 5, column: 19, path: 'rules[0].allow[1]' });
      expectIssue(issues, { code: 'policy.unknown-app', file: 'policies.yaml', line: 6, column: 10, path: 'rules[1].app' });
      expectIssue(issues, { code: 'duration.invalid', file: 'policies.yaml', line: 7, column: 13, path: 'rules[1].retain' });
      expectIssue(issues, { code: 'place.unknown-kind', file: 'policies.yaml', line: 8, column: 20, path: 'rules[1].where.kind' });
    });

    it('refuses a reference to a file that does not exist, at the reference', async () => {
      const issues = issuesOf(await validate({ 'building.yaml': `${building}policies: policy.yaml\n` }));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'policy.file-missing', file: 'building.yaml', line: 17, column: 11, path: 'policies' });
    });

    it('refuses a reference through a file, instead of crashing', async () => {
      const issues = issuesOf(await validate({ 'building.yaml': `${building}policies: building.yaml/policies.yaml\n` }));
      expectIssue(issues, { code: 'policy.file-missing', line: 17, column: 11, path: 'policies' });
    });

    it.each([['../policies.yaml'], ['/etc/policies.yaml'], ['policies.txt'], ['"[a, b]"']])('refuses policies: %s', async (reference) => {
      const issues = issuesOf(await validate({ 'building.yaml': `${building}policies: ${reference}\n` }));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'policy.bad-reference', line: 17, column: 11, path: 'policies' });
    });

    it('refuses an empty policies file or one that does not parse, in that file', async () => {
      const empty = issuesOf(await validate({ 'building.yaml': `${building}policies: policies.yaml\n`, 'policies.yaml': '# nothing yet\n' }));
      expectIssue(empty, { code: 'file.empty', file: 'policies.yaml', path: '' });
      const broken = issuesOf(await validate({ 'building.yaml': `${building}policies: policies.yaml\n`, 'policies.yaml': 'rules:\n  - app: lights\n    allow: [gpio\n' }));
      expectIssue(broken, { code: 'yaml.syntax', file: 'policies.yaml', line: 3, column: 12, path: '' });
    });

    it('refuses a policies file that holds a list, with a hint for a policies file', async () => {
      const issues = issuesOf(await validate({ 'building.yaml': `${building}policies: policies.yaml\n`, 'policies.yaml': '- app: lights\n' }));
      const issue = expectIssue(issues, { code: 'schema.wrong-type', file: 'policies.yaml', line: 1, column: 1, path: '' });
      expect(issue.hint).toContain('rules');
    });
  });

  it('reports node and whole-building problems together', async () => {
    const text = building
      .replace('button: { driver: gpio-in, pin: GPIO17 }', 'button: { driver: gpio-in, pin: GPIO17, pul: up }')
      .replace('pin: GPIO27', 'pin: GPIO17');
    const issues = issuesOf(await validate({ 'building.yaml': `${text}policies:\n  rules:\n    - app: lihgts\n` }));
    expect(issues.map((issue) => issue.code)).toEqual(['schema.unknown-key', 'pin.duplicate', 'policy.unknown-app']);
  });
});

describe('loadBuilding', () => {
  it('returns the building when it is valid', async () => {
    const root = await tempBuilding({ 'apps/lights/': '', 'building.yaml': building });
    expect((await loadBuilding(root)).root).toBe(root);
  });

  it('throws an InputError carrying every issue when it is not', async () => {
    const root = await tempBuilding({ 'building.yaml': building });
    const error = await loadBuilding(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('building.invalid');
    expect(((error as InputError).data['issues'] as ValidationIssue[]).map((issue) => issue.code)).toEqual(['app.source-missing']);
  });
});
