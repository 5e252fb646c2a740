import { describe, expect, it } from 'vitest';
import { checkContextFor } from '../../../test/fixtures/checkContextFor.js';
import { expectIssue } from '../../../test/fixtures/expectIssue.js';
import { yaml } from '../../../test/fixtures/tempBuilding.js';
import { checkSelector, readSelector } from './checkSelector.js';

const building = yaml`
  spaces:
    - id: f1
      kind: floor
      spaces:
        - id: fw11
          kind: room
          boards: [{ id: fw11-door, board: sim, devices: { button: { driver: gpio-in, pin: GPIO17 } } }]
  apps:
    - place: { ids: [fw11, fw11-door, fw13] }
    - place: { kind: rooms }
    - place: { kind: kitchen, has: [button, buton, thermostat] }
`;

describe('readSelector', () => {
  it('reads what is well formed and leaves the rest out', () => {
    expect(readSelector({ kind: 'room', ids: ['a', 5], has: ['lamp'] })).toEqual({ kind: 'room', ids: ['a'], has: ['lamp'] });
    expect(readSelector({ kind: 5, ids: 'a', has: null })).toEqual({});
    expect(readSelector(null)).toEqual({});
    expect(readSelector(['kind'])).toEqual({});
  });
});

describe('checkSelector', () => {
  const ctx = checkContextFor(building);
  const check = (app: number) => checkSelector(readSelector((ctx.building.data as { apps: { place: unknown }[] }).apps[app]?.place), ctx.index, ctx.building, ['apps', app, 'place']);

  it('accepts ids of spaces and of boards', () => {
    const issues = check(0);
    expect(issues).toHaveLength(1);
    expect(expectIssue(issues, { code: 'place.unknown-id', line: 9, column: 37, path: 'apps[0].place.ids[2]' }).hint).toMatch(/did you mean "fw11"/);
  });

  it('refuses a kind no space has, listing the kinds there are', () => {
    const issue = expectIssue(check(1), { code: 'place.unknown-kind', line: 10, column: 20, path: 'apps[1].place.kind' });
    expect(issue.hint).toMatch(/did you mean "room"/);
  });

  it('refuses each alias in has that no board has', () => {
    const issues = check(2);
    expect(issues.map((issue) => issue.code)).toEqual(['place.unknown-kind', 'place.unknown-alias', 'place.unknown-alias']);
    expect(expectIssue(issues, { code: 'place.unknown-alias', line: 11, column: 43, path: 'apps[2].place.has[1]' }).hint).toMatch(/did you mean "button"/);
    expect(expectIssue(issues, { code: 'place.unknown-alias', line: 11, column: 50, path: 'apps[2].place.has[2]' }).hint).not.toMatch(/did you mean/);
  });

  it('says so when the building has no spaces to select from', () => {
    const empty = checkContextFor('spaces: []\napps:\n  - place: { kind: room, ids: [r1], has: [lamp] }\n');
    const issues = checkSelector(readSelector({ kind: 'room', ids: ['r1'], has: ['lamp'] }), empty.index, empty.building, ['apps', 0, 'place']);
    expect(issues.map((issue) => issue.code)).toEqual(['place.unknown-id', 'place.unknown-kind', 'place.unknown-alias']);
    for (const issue of issues) expect(issue.hint).toMatch(/\w/);
  });
});
