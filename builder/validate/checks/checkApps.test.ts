import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContextFor } from '../../../test/fixtures/checkContextFor.js';
import { expectIssue } from '../../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../../test/fixtures/tempBuilding.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { checkApps } from './checkApps.js';

// Two rooms on a floor and a corridor. fw11 has its door board with a button and a lamp and
// a wall board with another lamp; fw12 has a button only; the corridor has a screen.
const spaces = yaml`
  osmose: 1
  building: { id: b, name: B }
  spaces:
    - id: f1
      kind: floor
      spaces:
        - id: fw11
          kind: room
          boards:
            - id: fw11-door
              board: sim
              devices:
                button: { driver: gpio-in, pin: GPIO17 }
                lamp: { driver: gpio-out, pin: GPIO27 }
            - id: fw11-wall
              board: sim
              devices:
                lamp: { driver: gpio-out, pin: GPIO22 }
        - id: fw12
          kind: room
          boards:
            - id: fw12-door
              board: sim
              devices:
                button: { driver: gpio-in, pin: GPIO17 }
        - id: c1
          kind: corridor
          boards:
            - { id: c1-sign, board: sim, devices: { screen: { driver: display, width: 800, height: 480 } } }
  apps:
`;
// Apps start on this line of every test building.
const firstAppLine = spaces.split('\n').length;

let root: string;
beforeEach(async () => {
  root = await tempBuilding({ 'apps/lights/': '', 'apps/README.md': 'not a folder\n' });
});
afterEach(removeTempBuildings);

async function appIssues(apps: string): Promise<ValidationIssue[]> {
  const text = spaces + apps.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n');
  return checkApps(checkContextFor(text, { root }));
}

describe('checkApps', () => {
  it('accepts an app whose needs bind in every place it runs', async () => {
    expect(await appIssues(yaml`
      - name: doorbell
        source: apps/lights
        place: { has: [button] }
        needs: [button]
      - name: sign
        source: apps/lights
        place: { kind: corridor }
        needs: [screen]
    `)).toEqual([]);
  });

  describe('source folders', () => {
    it('refuses a source folder that does not exist, or is a file', async () => {
      const issues = await appIssues(yaml`
        - { name: a, source: apps/heating, place: { kind: corridor } }
        - { name: b, source: apps/README.md, place: { kind: corridor } }
        - { name: c, source: ..hidden, place: { kind: corridor } }
      `);
      expect(issues).toHaveLength(3);
      expectIssue(issues, { code: 'app.source-missing', line: firstAppLine, column: 24, path: 'apps[0].source' });
      expectIssue(issues, { code: 'app.source-missing', line: firstAppLine + 1, column: 24, path: 'apps[1].source' });
      // `..hidden` is a folder name inside the repository, not a way out of it.
      expectIssue(issues, { code: 'app.source-missing', line: firstAppLine + 2, column: 24, path: 'apps[2].source' });
    });

    it('refuses a source outside the repository', async () => {
      const issues = await appIssues(yaml`
        - { name: a, source: ../elsewhere, place: { kind: corridor } }
        - { name: b, source: /etc, place: { kind: corridor } }
        - { name: c, source: apps/../../x, place: { kind: corridor } }
        - { name: d, source: .., place: { kind: corridor } }
      `);
      expect(issues).toHaveLength(4);
      for (let i = 0; i < 4; i++) expectIssue(issues, { code: 'app.source-outside', line: firstAppLine + i, column: 24, path: `apps[${i}].source` });
    });
  });

  describe('placement', () => {
    it('refuses a place whose space has no board to run the app', async () => {
      const text = yaml`
        osmose: 1
        building: { id: b, name: B }
        spaces:
          - id: closet
            kind: store
          - id: hall
            kind: store
            boards: [{ id: hall-1, board: sim }]
        apps:
          - { name: tidy, source: apps/lights, place: { kind: store } }
      `;
      const issues = await checkApps(checkContextFor(text, { root }));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'place.no-board', line: 10, column: 47, path: 'apps[0].place' });
      expect(issues[0]?.message).toContain('closet');
    });

    it('refuses an app its selector places nowhere', async () => {
      const issues = await appIssues(yaml`
        - name: signs
          source: apps/lights
          place: { kind: room, has: [screen] }
      `);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'place.empty', line: firstAppLine + 2, column: 12, path: 'apps[0].place' });
    });

    it('reports unknown ids, kinds and aliases in place, and goes no further', async () => {
      const issues = await appIssues(yaml`
        - name: lights
          source: apps/lights
          place: { ids: [fw13, fw11] }
          needs: [lamp]
        - name: heating
          source: apps/lights
          place: { kind: rooom }
          needs: [thermostat]
        - name: bell
          source: apps/lights
          place: { has: [buton] }
      `);
      expect(issues).toHaveLength(3);
      expect(expectIssue(issues, { code: 'place.unknown-id', line: firstAppLine + 2, column: 20, path: 'apps[0].place.ids[0]' }).hint).toMatch(/did you mean "fw11"/);
      expect(expectIssue(issues, { code: 'place.unknown-kind', line: firstAppLine + 6, column: 20, path: 'apps[1].place.kind' }).hint).toMatch(/did you mean "room"/);
      expect(expectIssue(issues, { code: 'place.unknown-alias', line: firstAppLine + 10, column: 20, path: 'apps[2].place.has[0]' }).hint).toMatch(/did you mean "button"/);
    });

    it('adds nothing to a place the node checks refuse (null, empty, kind with ids)', async () => {
      const issues = await appIssues(yaml`
        - { name: a, source: apps/lights, place: null, needs: [lamp] }
        - { name: b, source: apps/lights, place: {}, needs: [lamp] }
        - { name: c, source: apps/lights, place: { kind: room, ids: [fw11] }, needs: [lamp] }
        - { name: d, source: apps/lights, place: 5 }
        - { name: e, source: apps/lights, place: { has: [] }, needs: [lamp] }
        - { name: f, source: apps/lights }
      `);
      expect(issues).toEqual([]);
    });
  });

  describe('needs', () => {
    it('refuses a need that cannot be bound in one of the spaces the app is placed in', async () => {
      const issues = await appIssues(yaml`
        - name: doorbell
          source: apps/lights
          place: { kind: room }
          needs: [button, screen]
      `);
      // Both rooms have a button; neither has a screen (the corridor's does not count).
      expect(issues).toHaveLength(1);
      const issue = expectIssue(issues, { code: 'needs.unbound', line: firstAppLine + 3, column: 21, path: 'apps[0].needs[1]' });
      expect(issue.message).toContain('fw11');
      expect(issue.message).toContain('fw12');
    });

    it('refuses a need that two boards in the placed space could both satisfy', async () => {
      const issues = await appIssues(yaml`
        - name: lights
          source: apps/lights
          place: { ids: [fw11] }
          needs: [button, lamp]
      `);
      expect(issues).toHaveLength(1);
      const issue = expectIssue(issues, { code: 'needs.ambiguous', line: firstAppLine + 3, column: 21, path: 'apps[0].needs[1]' });
      expect(issue.message).toContain('fw11-door');
      expect(issue.message).toContain('fw11-wall');
      expect(issue.hint).toContain('has: [lamp]');
    });

    it('reports a space that lacks a need and one where it is ambiguous, both at the need', async () => {
      const issues = await appIssues(yaml`
        - name: lights
          source: apps/lights
          place: { kind: room }
          needs: [lamp]
      `);
      expectIssue(issues, { code: 'needs.unbound', line: firstAppLine + 3, column: 13, path: 'apps[0].needs[0]' });
      expectIssue(issues, { code: 'needs.ambiguous', line: firstAppLine + 3, column: 13, path: 'apps[0].needs[0]' });
      expect(issues).toHaveLength(2);
    });

    it('binds a board\'s own device first when has places the app on boards', async () => {
      const issues = await appIssues(yaml`
        - name: lights
          source: apps/lights
          place: { has: [lamp] }
          needs: [lamp, button]
      `);
      // fw11-wall has no button, but the door board in its room has one: a circuit, not an error.
      expect(issues).toEqual([]);
    });

    it('binds on a board named in ids, and in the spaces inside a placed space', async () => {
      const issues = await appIssues(yaml`
        - { name: a, source: apps/lights, place: { ids: [fw11-wall] }, needs: [lamp, button] }
        - { name: b, source: apps/lights, place: { ids: [c1] }, needs: [screen] }
        - { name: c, source: apps/lights, place: { kind: floor }, needs: [screen] }
      `);
      expect(issues).toEqual([]);
    });

    it('refuses a need that no board in the building has, suggesting a close alias', async () => {
      const issues = await appIssues(yaml`
        - name: heating
          source: apps/lights
          place: { kind: room }
          needs: [thermostat, lmp]
      `);
      expect(issues).toHaveLength(2);
      const thermostat = expectIssue(issues, { code: 'needs.unknown', line: firstAppLine + 3, column: 13, path: 'apps[0].needs[0]' });
      expect(thermostat.hint).not.toMatch(/did you mean/);
      expect(expectIssue(issues, { code: 'needs.unknown', line: firstAppLine + 3, column: 25, path: 'apps[0].needs[1]' }).hint).toMatch(/did you mean "lamp"/);
    });

    it('skips needs that are not text, and apps that are not mappings', async () => {
      expect(await appIssues('- { name: a, source: apps/lights, place: { kind: corridor }, needs: [5, null] }\n- null\n- 7\n')).toEqual([]);
    });
  });
});
