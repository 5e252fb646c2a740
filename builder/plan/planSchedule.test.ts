import { isSeq, parseDocument } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { summary } from '../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../test/fixtures/tempBuilding.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';
import type { BuildPlan, PlannedFragment } from './BuildPlan.js';
import type { DownBoard } from './PlanSchedule.js';
import { planBuilding } from './planBuilding.js';
import { renderPlan } from './renderPlan.js';

// Spares and boards out of service. Room r1: a door board (button), a lamp board (lamp, and a
// chime only it has), a spare with the lamp board's aliases and a spare with a lamp only. Room
// r2: a board with a lamp and its one spare, which has no lamp. lights (by room) runs on the
// door and reaches the lamp over a circuit; glow runs on every board with a lamp; bell runs
// where the chime is.
const building = yaml`
  osmose: 1
  building: { id: spare-test, name: Spare test }
  spaces:
    - id: r1
      kind: room
      boards:
        - id: r1-door
          board: sim
          devices:
            button: { driver: gpio-in, pin: GPIO17, pull: up, debounce: 10ms }
        - id: r1-lamp
          board: sim
          devices:
            lamp: { driver: gpio-out, pin: GPIO27 }
            chime: { driver: gpio-out, pin: GPIO22 }
        - id: r1-small-spare
          board: sim
          spare: true
          devices:
            lamp: { driver: gpio-out, pin: GPIO27 }
        - id: r1-spare
          board: sim
          spare: true
          devices:
            lamp: { driver: gpio-out, pin: GPIO27 }
            chime: { driver: gpio-out, pin: GPIO22 }
    - id: r2
      kind: room
      boards:
        - id: r2-lamp
          board: sim
          devices:
            lamp: { driver: gpio-out, pin: GPIO27 }
        - id: r2-spare
          board: sim
          spare: true
          devices:
            heater: { driver: gpio-out, pin: GPIO27 }
  apps:
    - name: lights
      source: apps/lights
      place: { ids: [r1] }
      needs: [button, lamp]
    - name: glow
      source: apps/glow
      place: { has: [lamp] }
      needs: [lamp]
    - name: bell
      source: apps/bell
      place: { has: [chime] }
      needs: [chime]
  policies:
    default: deny
    rules:
      - app: "*"
        allow: [gpio, channel]
      - app: glow
        where: { ids: [r1-lamp] }
        allow: [presence]
`;

afterEach(removeTempBuildings);

async function buildingFrom(text: string = building): Promise<Building> {
  const root = await tempBuilding({ 'building.yaml': text, 'apps/lights/': '', 'apps/glow/': '', 'apps/bell/': '' });
  const result = await validateBuilding(root);
  if (!result.ok) throw new Error(summary(result.issues));
  return result.building;
}

const down = (board: string, returned: string | null = null): DownBoard => ({ board, since: '2026-01-05T10:00:00.000Z', why: 'no heartbeat for 3 intervals', returned });

function fragment(plan: BuildPlan, instance: string): PlannedFragment {
  const found = plan.fragments.find((f) => f.instance === instance);
  if (found === undefined) throw new Error(`no fragment ${instance} among ${plan.fragments.map((f) => f.instance).join(', ')}`);
  return found;
}

const bindings = (f: PlannedFragment): string[] => Object.entries(f.bindings).map(([need, b]) => `${need}: ${b.board}/${b.device}${b.local ? '' : ` via ${b.circuit}`}`);

describe('spares while every board is up', () => {
  it('places nothing on a spare and binds nothing to it, though it has the same aliases', async () => {
    const plan = planBuilding(await buildingFrom());
    expect(plan.fragments.map((f) => `${f.instance} on ${f.board}`)).toEqual(['lights@r1 on r1-door', 'glow@r1-lamp on r1-lamp', 'glow@r2-lamp on r2-lamp', 'bell@r1-lamp on r1-lamp']);
    expect(bindings(fragment(plan, 'lights@r1'))).toEqual(['button: r1-door/button', 'lamp: r1-lamp/lamp via lights@r1/lamp']);
    for (const spare of ['r1-small-spare', 'r1-spare', 'r2-spare']) {
      const board = plan.boards.find((b) => b.id === spare);
      expect(board?.fragments, spare).toEqual([]);
      expect(board?.circuits, spare).toEqual([]);
    }
    expect(plan.schedule).toEqual({ spares: ['r1-small-spare', 'r1-spare', 'r2-spare'], down: [], standIns: [], moved: [], rebound: [], unplaced: [], stranded: [] });
  });

  it('does not place an app on a spare named in its place: such a place selects nothing', async () => {
    const text = building.replace('place: { has: [chime] }', 'place: { ids: [r1-spare] }');
    const root = await tempBuilding({ 'building.yaml': text, 'apps/lights/': '', 'apps/glow/': '', 'apps/bell/': '' });
    const result = await validateBuilding(root);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => `${issue.code} ${issue.path}`)).toEqual(['place.empty apps[2].place']);
  });
});

describe('a board out of service', () => {
  it('moves what ran on it to the first free spare of its space with every alias bound on it, instance and grants kept', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r1-lamp')] });
    // r1-small-spare comes first but has no chime; r1-spare has both.
    expect(plan.schedule.standIns).toEqual([{ board: 'r1-lamp', aliases: ['chime', 'lamp'], spare: 'r1-spare' }]);
    const glow = fragment(plan, 'glow@r1-lamp');
    expect(glow.board).toBe('r1-spare');
    expect(glow.runsOn).toBe('spare');
    expect(bindings(glow)).toEqual(['lamp: r1-spare/lamp']);
    // Its policy is read on the board it stands in for: the rule for r1-lamp still applies.
    expect(glow.grants.presence).toEqual({ rule: 1 });
    expect(fragment(plan, 'bell@r1-lamp').board).toBe('r1-spare');
    expect(plan.schedule.moved).toEqual([
      { instance: 'glow@r1-lamp', from: 'r1-lamp', to: 'r1-spare' },
      { instance: 'bell@r1-lamp', from: 'r1-lamp', to: 'r1-spare' },
    ]);
  });

  it('rebinds needs bound to its devices to the spare\'s device of the same alias, the circuit following', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r1-lamp')] });
    expect(bindings(fragment(plan, 'lights@r1'))).toEqual(['button: r1-door/button', 'lamp: r1-spare/lamp via lights@r1/lamp']);
    expect(plan.circuits.find((c) => c.id === 'lights@r1/lamp')?.device).toEqual({ board: 'r1-spare', device: 'lamp', driver: 'gpio-out' });
    expect(plan.schedule.rebound).toEqual([
      { instance: 'lights@r1', need: 'lamp', from: 'r1-lamp', to: 'r1-spare' },
      { instance: 'glow@r1-lamp', need: 'lamp', from: 'r1-lamp', to: 'r1-spare' },
      { instance: 'bell@r1-lamp', need: 'chime', from: 'r1-lamp', to: 'r1-spare' },
    ]);
    const lamp = plan.boards.find((b) => b.id === 'r1-lamp');
    expect(lamp?.fragments).toEqual([]);
    expect(lamp?.circuits).toEqual([]);
    expect(plan.boards.find((b) => b.id === 'r1-spare')?.circuits).toEqual(['lights@r1/lamp']);
    // Nothing else moved.
    expect(fragment(plan, 'lights@r1').board).toBe('r1-door');
    expect(fragment(plan, 'glow@r2-lamp').board).toBe('r2-lamp');
  });

  it('leaves a fragment with no spare to go to unplaced, and plans the rest', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r2-lamp')] });
    expect(plan.schedule.standIns).toEqual([{ board: 'r2-lamp', aliases: ['lamp'], spare: null }]);
    expect(plan.schedule.unplaced.map(({ instance, app, board }) => ({ instance, app, board }))).toEqual([{ instance: 'glow@r2-lamp', app: 'glow', board: 'r2-lamp' }]);
    expect(plan.schedule.unplaced[0]?.reason).toContain('r2 has no free spare with lamp');
    expect(plan.fragments.map((f) => f.instance)).not.toContain('glow@r2-lamp');
    expect(plan.apps.find((a) => a.name === 'glow')?.instances).toEqual(['glow@r1-lamp']);
    expect(plan.fragments).toHaveLength(3);
  });

  it('serves boards out of service in building.yaml order, each spare to one board only', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r1-lamp'), down('r1-door')] });
    // No spare of r1 has a button: the lights, which ran on the door, run nowhere; the lamp board's fragments still move.
    expect(plan.schedule.standIns).toEqual([
      { board: 'r1-door', aliases: ['button'], spare: null },
      { board: 'r1-lamp', aliases: ['chime', 'lamp'], spare: 'r1-spare' },
    ]);
    expect(plan.schedule.unplaced.map((f) => f.instance)).toEqual(['lights@r1']);
    expect(plan.fragments.map((f) => `${f.instance} on ${f.board}`)).toEqual(['glow@r1-lamp on r1-spare', 'glow@r2-lamp on r2-lamp', 'bell@r1-lamp on r1-spare']);

    // A second lamp board in r1, after the first (and no lights, whose lamp would be ambiguous): each takes a spare of its own.
    const doc = parseDocument(building);
    doc.deleteIn(['apps', 0]);
    const boards = doc.getIn(['spaces', 0, 'boards']);
    if (!isSeq(boards)) throw new Error('no boards in r1');
    boards.items.splice(2, 0, doc.createNode({ id: 'r1-lamp-2', board: 'sim', devices: { lamp: { driver: 'gpio-out', pin: 'GPIO27' } } }));
    const two = planBuilding(await buildingFrom(doc.toString()), { down: [down('r1-lamp-2'), down('r1-lamp')] });
    expect(two.schedule.standIns).toEqual([
      { board: 'r1-lamp', aliases: ['chime', 'lamp'], spare: 'r1-spare' },
      { board: 'r1-lamp-2', aliases: ['lamp'], spare: 'r1-small-spare' },
    ]);
    expect(fragment(two, 'glow@r1-lamp-2').board).toBe('r1-small-spare');
  });

  it('never uses a spare that is out of service itself', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r1-lamp'), down('r1-spare')] });
    expect(plan.schedule.standIns).toEqual([{ board: 'r1-lamp', aliases: ['chime', 'lamp'], spare: null }]);
    expect(plan.schedule.unplaced.map((f) => f.instance)).toEqual(['glow@r1-lamp', 'bell@r1-lamp']);
    // The lights on the door still run; their lamp is stranded on the dead board.
    expect(bindings(fragment(plan, 'lights@r1'))).toEqual(['button: r1-door/button', 'lamp: r1-lamp/lamp via lights@r1/lamp']);
    expect(plan.schedule.stranded).toEqual([{ instance: 'lights@r1', need: 'lamp', board: 'r1-lamp', device: 'lamp' }]);
  });

  it('keeps a board that came back out of service until it is moved back', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('r1-lamp', '2026-01-05T10:05:00.000Z')] });
    expect(fragment(plan, 'glow@r1-lamp').board).toBe('r1-spare');
    expect(plan.schedule.down).toEqual([down('r1-lamp', '2026-01-05T10:05:00.000Z')]);
  });

  it('ignores boards the building does not have', async () => {
    const plan = planBuilding(await buildingFrom(), { down: [down('gone')] });
    expect(plan.schedule.down).toEqual([]);
    expect(JSON.stringify(plan)).toBe(JSON.stringify(planBuilding(await buildingFrom())));
  });

  it('is deterministic: the same plan, byte for byte, whatever the order of the down set', async () => {
    const b = await buildingFrom();
    const one = planBuilding(b, { down: [down('r1-lamp'), down('r2-lamp')] });
    const other = planBuilding(b, { down: [down('r2-lamp'), down('r1-lamp')] });
    expect(JSON.stringify(one)).toBe(JSON.stringify(other));
    expect(JSON.parse(JSON.stringify(one))).toEqual(one);
  });

  it('says in osmose plan which boards are out of service and what moved', async () => {
    const text = renderPlan(planBuilding(await buildingFrom(), { down: [down('r1-lamp'), down('r2-lamp')] }));
    expect(text).toContain('out of service (refs/osmose/schedule): r1-lamp, r2-lamp');
    expect(text).toContain('[r1-spare]  sim  in r1  spare\n  stands in for r1-lamp\n');
    expect(text).toContain('  runs glow@r1-lamp  (moved here: r1-lamp is out of service)');
    expect(text).toContain('  down since 2026-01-05T10:00:00.000Z: no heartbeat for 3 intervals');
    expect(text).toContain('unplaced: glow@r2-lamp runs nowhere: r2-lamp is down and r2 has no free spare with lamp');
  });
});
