import { describe, expect, it } from 'vitest';
import { checkContextFor } from '../../../test/fixtures/checkContextFor.js';
import { expectIssue } from '../../../test/fixtures/expectIssue.js';
import { yaml } from '../../../test/fixtures/tempBuilding.js';
import { checkIds } from './checkIds.js';

describe('checkIds', () => {
  it('accepts distinct ids', () => {
    expect(checkIds(checkContextFor(yaml`
      spaces:
        - id: f1
          kind: floor
          boards: [{ id: f1-hall, board: sim }]
          spaces: [{ id: r1, kind: room }]
      apps: [{ name: a }, { name: b }]
    `))).toEqual([]);
  });

  it('refuses a space id used twice, pointing at the second and naming the first', () => {
    const issues = checkIds(checkContextFor(yaml`
      spaces:
        - id: f1
          kind: floor
          spaces:
            - id: r1
              kind: room
        - id: f2
          kind: floor
          spaces:
            - id: r1
              kind: room
    `));
    expect(issues).toHaveLength(1);
    const issue = expectIssue(issues, { code: 'id.duplicate', line: 10, column: 13, path: 'spaces[1].spaces[0].id' });
    expect(issue.message).toContain('building.yaml:5:13');
  });

  it('refuses a board that takes the id of a space, whichever comes first in the file', () => {
    const issues = checkIds(checkContextFor(yaml`
      spaces:
        - id: f1
          kind: floor
          boards:
            - id: r1
              board: sim
            - id: f1
              board: sim
          spaces:
            - id: r1
              kind: room
    `));
    // The board r1 is written before the room r1, even though the room is deeper in the tree.
    expectIssue(issues, { code: 'id.duplicate', line: 7, column: 13, path: 'spaces[0].boards[1].id' });
    const room = expectIssue(issues, { code: 'id.duplicate', line: 10, column: 13, path: 'spaces[0].spaces[0].id' });
    expect(room.message).toContain('building.yaml:5:13');
    expect(issues).toHaveLength(2);
  });

  it('refuses two boards with one id in different spaces', () => {
    const issues = checkIds(checkContextFor(yaml`
      spaces:
        - { id: r1, kind: room, boards: [{ id: door, board: sim }] }
        - { id: r2, kind: room, boards: [{ id: door, board: rpi4 }] }
    `));
    expectIssue(issues, { code: 'id.duplicate', line: 3, column: 42, path: 'spaces[1].boards[0].id' });
  });

  it('refuses an app declared twice', () => {
    const issues = checkIds(checkContextFor(yaml`
      spaces: []
      apps:
        - name: lights
          source: apps/lights
        - name: heating
        - name: lights
    `));
    const issue = expectIssue(issues, { code: 'app.duplicate', line: 6, column: 11, path: 'apps[2].name' });
    expect(issue.message).toContain('building.yaml:3:11');
  });

  it('leaves missing or mistyped ids to the node checks, and survives odd trees', () => {
    expect(checkIds(checkContextFor('spaces: [{ kind: room }, { id: 5 }, null, 7, { id: "" }]\napps: [null, { name: 3 }]\n'))).toEqual([]);
    expect(checkIds(checkContextFor('- a\n- b\n'))).toEqual([]);
    expect(checkIds(checkContextFor('~\n'))).toEqual([]);
    expect(checkIds(checkContextFor('spaces: 5\napps: {}\n'))).toEqual([]);
  });
});
