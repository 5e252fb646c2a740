import { describe, expect, it } from 'vitest';
import { checkContextFor } from '../../../test/fixtures/checkContextFor.js';
import { expectIssue } from '../../../test/fixtures/expectIssue.js';
import { yaml } from '../../../test/fixtures/tempBuilding.js';
import { checkPolicies } from './checkPolicies.js';

const building = yaml`
  spaces:
    - id: fw11
      kind: room
      boards: [{ id: fw11-door, board: sim, devices: { lamp: { driver: gpio-out, pin: GPIO27 } } }]
  apps:
    - name: lights
    - name: recorder
`;

describe('checkPolicies', () => {
  it('accepts rules for declared apps and for every app (*)', () => {
    const ctx = checkContextFor(building + yaml`
      policies:
        rules:
          - { app: lights, allow: [gpio], where: { ids: [fw11-door] } }
          - { app: "*", where: { kind: room, has: [lamp] } }
          - app: recorder
    `);
    expect(checkPolicies(ctx)).toEqual([]);
  });

  it('refuses a rule for an app building.yaml does not declare, inline', () => {
    const ctx = checkContextFor(building + yaml`
      policies:
        default: deny
        rules:
          - app: lihgts
            allow: [gpio]
          - app: heating
    `);
    const issues = checkPolicies(ctx);
    expect(issues).toHaveLength(2);
    expect(expectIssue(issues, { code: 'policy.unknown-app', line: 11, column: 12, path: 'policies.rules[0].app' }).hint).toMatch(/did you mean "lights"/);
    expect(expectIssue(issues, { code: 'policy.unknown-app', line: 13, column: 12, path: 'policies.rules[1].app' }).hint).toContain('recorder');
  });

  it('points into a separate policies file, with its own line numbers', () => {
    const ctx = checkContextFor(`${building}policies: policies.yaml\n`, {
      policiesYaml: yaml`
        # policies for the building
        default: deny
        rules:
          - app: lights
            allow: [gpio]
          - app: recordr
            where: { ids: [fw12], has: [lmp] }
          - app: "*"
            where: { kind: floor }
      `,
    });
    const issues = checkPolicies(ctx);
    expect(issues).toHaveLength(4);
    expectIssue(issues, { code: 'policy.unknown-app', file: 'policies.yaml', line: 6, column: 10, path: 'rules[1].app' });
    expectIssue(issues, { code: 'place.unknown-id', file: 'policies.yaml', line: 7, column: 20, path: 'rules[1].where.ids[0]' });
    expect(expectIssue(issues, { code: 'place.unknown-alias', file: 'policies.yaml', line: 7, column: 33, path: 'rules[1].where.has[0]' }).hint).toMatch(/did you mean "lamp"/);
    expectIssue(issues, { code: 'place.unknown-kind', file: 'policies.yaml', line: 9, column: 20, path: 'rules[2].where.kind' });
  });

  it('says to declare apps first when there are none', () => {
    const ctx = checkContextFor('spaces: []\npolicies:\n  rules:\n    - app: lights\n');
    expect(expectIssue(checkPolicies(ctx), { code: 'policy.unknown-app', line: 4, column: 12, path: 'policies.rules[0].app' }).hint).toMatch(/declare/);
  });

  it('survives odd rules: none, null, not mappings, no allow, where: null', () => {
    for (const policies of ['{}', '{ rules: null }', '{ rules: 5 }', '{ rules: [null, 5, { allow: [gpio] }, { app: lights, where: null }] }']) {
      expect(checkPolicies(checkContextFor(`${building}policies: ${policies}\n`))).toEqual([]);
    }
    expect(checkPolicies(checkContextFor(building, { policiesYaml: '- app: lights\n' }))).toEqual([]);
  });
});
