import { afterEach, describe, expect, it } from 'vitest';
import { summary } from '../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../test/fixtures/tempBuilding.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';
import type { PlannedFragment } from './BuildPlan.js';
import { planBuilding } from './planBuilding.js';
import { ruleThatWouldAllow } from './ruleThatWouldAllow.js';

const building = yaml`
  osmose: 1
  building: { id: b, name: B }
  spaces:
    - id: r1
      kind: room
      boards:
        - id: a
          board: sim
          devices:
            button: { driver: gpio-in, pin: GPIO17 }
            lamp: { driver: gpio-out, pin: GPIO27 }
        - id: b
          board: sim
          devices:
            mic: { driver: audio-in }
  apps:
    - { name: lights, source: apps/lights, place: { has: [button] }, needs: [button, lamp] }
    - { name: recorder, source: apps/recorder, place: { kind: room }, needs: [mic] }
`;

const rules = yaml`
  default: deny
  rules:
    - app: "*"
      allow: [presence]
    - app: lights
      where: { ids: [b] }
      allow: [gpio]
    - app: recorder
      where: { kind: room }
      allow: [audio.in]
`;

afterEach(removeTempBuildings);

async function planned(files: Record<string, string>): Promise<{ building: Building; fragments: Map<string, PlannedFragment> }> {
  const result = await validateBuilding(await tempBuilding({ ...files, 'apps/lights/': '', 'apps/recorder/': '' }));
  if (!result.ok) throw new Error(summary(result.issues));
  return { building: result.building, fragments: new Map(planBuilding(result.building).fragments.map((f) => [f.app, f])) };
}

const inline = (): Promise<{ building: Building; fragments: Map<string, PlannedFragment> }> =>
  planned({ 'building.yaml': `${building}policies:\n${rules.replace(/^/gm, '  ')}` });

function the(fragments: Map<string, PlannedFragment>, app: string): PlannedFragment {
  const fragment = fragments.get(app);
  if (fragment === undefined) throw new Error(app);
  return fragment;
}

describe('ruleThatWouldAllow', () => {
  it('says nothing when the capability is granted already', async () => {
    const { building: b, fragments } = await inline();
    expect(ruleThatWouldAllow(b, the(fragments, 'lights'), 'presence')).toBeUndefined();
  });

  it('extends the first rule for the app that applies to the fragment', async () => {
    const { building: b, fragments } = await inline();
    expect(ruleThatWouldAllow(b, the(fragments, 'recorder'), 'channel')).toEqual({
      kind: 'extend',
      file: 'building.yaml',
      rule: 2,
      path: 'policies.rules[2].allow',
      text: 'add channel to policies.rules[2].allow in building.yaml (the rule for recorder)',
    });
  });

  it('adds a rule for the app when none of its rules applies, never widening a * rule', async () => {
    const { building: b, fragments } = await inline();
    // Rule 1 is for lights but only on board b; rule 0 applies but is for every app.
    expect(the(fragments, 'lights').rules).toEqual([0]);
    expect(ruleThatWouldAllow(b, the(fragments, 'lights'), 'gpio')).toEqual({
      kind: 'add',
      file: 'building.yaml',
      rule: { app: 'lights', allow: ['gpio'] },
      path: 'policies.rules[3]',
      text: 'add a rule to building.yaml: { app: lights, allow: [gpio] }',
    });
  });

  it('points into policies.yaml when the policies live there', async () => {
    const { building: b, fragments } = await planned({ 'building.yaml': `${building}policies: policies.yaml\n`, 'policies.yaml': rules });
    expect(ruleThatWouldAllow(b, the(fragments, 'recorder'), 'channel')?.path).toBe('rules[2].allow');
  });

  it('with default allow suggests a rule only for network.external', async () => {
    const { building: b, fragments } = await planned({ 'building.yaml': `${building}policies: policies.yaml\n`, 'policies.yaml': rules.replace('deny', 'allow') });
    expect(ruleThatWouldAllow(b, the(fragments, 'lights'), 'gpio')).toBeUndefined();
    expect(ruleThatWouldAllow(b, the(fragments, 'recorder'), 'network.external')?.text).toBe('add network.external to rules[2].allow in policies.yaml (the rule for recorder)');
  });
});
