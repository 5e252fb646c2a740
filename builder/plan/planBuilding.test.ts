import { isMap, isSeq, parseDocument, visit, type Document } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { summary } from '../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../test/fixtures/tempBuilding.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';
import type { BuildPlan, PlannedFragment } from './BuildPlan.js';
import { planBuilding } from './planBuilding.js';

// A floor with a hall board (a meter on a serial line) and two rooms. r1 has a door board
// (button, lamp), a table board (mic, vault, speaker) and a wall board (screen, heater); r2
// has a board with a button and a heater and another with the lamp, so lights in r2 cannot
// run beside both of its devices.
const spaces = yaml`
  osmose: 1
  building: { id: plan-test, name: Plan test }
  spaces:
    - id: f1
      kind: floor
      boards:
        - id: f1-hall
          board: sim
          devices:
            meter: { driver: serial, port: serial0, baud: 9600 }
      spaces:
        - id: r1
          kind: room
          boards:
            - id: r1-door
              board: sim
              devices:
                button: { driver: gpio-in, pin: GPIO17, pull: up, debounce: 10ms }
                lamp: { driver: gpio-out, pin: GPIO27 }
            - id: r1-table
              board: sim
              devices:
                mic: { driver: audio-in, rate: 16000 }
                vault: { driver: enclave }
                speaker: { driver: audio-out }
            - id: r1-wall
              board: sim
              devices:
                screen: { driver: display, width: 800, height: 480 }
                heater: { driver: gpio-out, pin: GPIO22 }
        - id: r2
          kind: room
          boards:
            - id: r2-a
              board: sim
              devices:
                button: { driver: gpio-in, pin: GPIO17 }
                heater: { driver: gpio-out, pin: GPIO22 }
            - id: r2-b
              board: rpi4
              devices:
                lamp: { driver: gpio-out, pin: GPIO27 }
`;

const apps = yaml`
  apps:
    - name: lights
      source: apps/lights
      place: { kind: room }
      needs: [button, lamp]
    - name: recorder
      source: apps/recorder
      place: { kind: room, has: [mic] }
      needs: [mic, vault, screen]
    - name: console
      source: apps/console
      place: { ids: [r1-wall] }
      needs: [heater, button, mic, vault, speaker]
    - name: billing
      source: apps/billing
      place: { ids: [f1], has: [speaker] }
      needs: [speaker, meter]
    - name: chime
      source: apps/chime
      place: { kind: floor }
    - name: heating
      source: apps/heating
      place: { kind: room }
      needs: [heater]
    - name: tally
      source: apps/tally
      place: { ids: [r1] }
      needs: [screen, mic, vault]
`;

const policies = yaml`
  policies:
    default: deny
    rules:
      - app: lights
        allow: [gpio, channel]
      - app: "*"
        where: { ids: [r1] }
        allow: [presence]
      - app: recorder
        where: { kind: room }
        allow: [audio.in, enclave, display]
        retain: 7d
        disclose: operator
      - app: recorder
        where: { has: [mic] }
        retain: 24h
        disclose: participants
      - app: console
        where: { ids: [r2] }
        allow: [gpio]
      - app: billing
        allow: [serial, network.external]
`;

const appNames = ['lights', 'recorder', 'console', 'billing', 'chime', 'heating', 'tally'];

afterEach(removeTempBuildings);

async function buildingFrom(text: string): Promise<Building> {
  const root = await tempBuilding({ 'building.yaml': text, ...Object.fromEntries(appNames.map((app) => [`apps/${app}/`, ''])) });
  const result = await validateBuilding(root);
  if (!result.ok) throw new Error(summary(result.issues));
  return result.building;
}

async function planOf(text: string = spaces + apps + policies): Promise<BuildPlan> {
  return planBuilding(await buildingFrom(text));
}

/** The test building with an edit made through the YAML document, so the edit cannot miss. */
function edited(edit: (doc: Document) => void): string {
  const doc = parseDocument(spaces + apps + policies);
  edit(doc);
  return doc.toString();
}

/** The index of the app called `name` in the test building. */
const app = (name: string): number => appNames.indexOf(name);

function fragment(plan: BuildPlan, instance: string): PlannedFragment {
  const found = plan.fragments.find((f) => f.instance === instance);
  if (found === undefined) throw new Error(`no fragment ${instance} among ${plan.fragments.map((f) => f.instance).join(', ')}`);
  return found;
}

/** `need: board/device` for local bindings, `need: board/device via CIRCUIT` for remote ones. */
function bindings(f: PlannedFragment): string[] {
  return Object.entries(f.bindings).map(([need, b]) => `${need}: ${b.board}/${b.device}${b.local ? '' : ` via ${b.circuit}`}`);
}

describe('placement', () => {
  it('makes one fragment per placement, apps in document order, ids APP@BOARD or APP@SPACE', async () => {
    const plan = await planOf();
    expect(plan.fragments.map((f) => `${f.instance} on ${f.board} (${f.runsOn})`)).toEqual([
      'lights@r1 on r1-door (devices)',
      'lights@r2 on r2-a (devices)',
      'recorder@r1-table on r1-table (place)',
      'console@r1-wall on r1-wall (place)',
      'billing@r1-table on r1-table (place)',
      'chime@f1 on f1-hall (first-board)',
      'heating@r1 on r1-wall (devices)',
      'heating@r2 on r2-a (devices)',
      'tally@r1 on r1-table (devices)',
    ]);
    expect(plan.apps.map((app) => `${app.name}: ${app.instances.join(' ')}`)).toEqual([
      'lights: lights@r1 lights@r2',
      'recorder: recorder@r1-table',
      'console: console@r1-wall',
      'billing: billing@r1-table',
      'chime: chime@f1',
      'heating: heating@r1 heating@r2',
      'tally: tally@r1',
    ]);
  });

  it('by kind runs on the board holding the most bound devices, not the first need\'s board', async () => {
    const plan = await planOf();
    // tally needs screen (r1-wall) first, but mic and vault are both on r1-table.
    expect(fragment(plan, 'tally@r1').board).toBe('r1-table');
    expect(fragment(plan, 'heating@r1').board).toBe('r1-wall');
  });

  it('breaks a tie by the board that comes first in building.yaml', async () => {
    const plan = await planOf();
    expect(fragment(plan, 'lights@r2').board).toBe('r2-a');
    // The same room with its boards the other way round: the lamp's board comes first.
    const swapped = edited((doc) => {
      const boards = doc.getIn(['spaces', 0, 'spaces', 1, 'boards']);
      if (isSeq(boards)) boards.items.reverse();
    });
    expect(fragment(await planOf(swapped), 'lights@r2').board).toBe('r2-b');
  });

  it('combines ids with has: the boards carrying the alias inside the named spaces, needs bound in the named space', async () => {
    const f = fragment(await planOf(), 'billing@r1-table');
    expect(f.scope).toEqual(['f1']);
    expect(bindings(f)).toEqual(['speaker: r1-table/speaker', 'meter: f1-hall/meter via billing@r1-table/meter']);
  });

  it('combines kind with has', async () => {
    const plan = await planOf();
    expect(plan.apps.find((app) => app.name === 'recorder')?.instances).toEqual(['recorder@r1-table']);
    expect(fragment(plan, 'recorder@r1-table').scope).toEqual(['f1', 'r1']);
  });

  it('puts an app that needs nothing on the first board of its space, the spaces inside counted', async () => {
    const noHall = edited((doc) => {
      doc.deleteIn(['spaces', 0, 'boards']);
      doc.setIn(['apps', app('billing'), 'needs'], doc.createNode(['speaker'], { flow: true }));
    });
    expect(fragment(await planOf(noHall), 'chime@f1').board).toBe('r1-door');
  });

  it('runs an app once on a board its place selects twice, bound as the first placement says', async () => {
    const twice = edited((doc) => {
      doc.setIn(['apps', app('billing'), 'place', 'ids'], doc.createNode(['f1', 'r1', 'r1-table'], { flow: true }));
      doc.setIn(['apps', app('billing'), 'needs'], doc.createNode(['speaker'], { flow: true }));
    });
    const plan = await planOf(twice);
    expect(plan.apps[app('billing')]?.instances).toEqual(['billing@r1-table']);
    expect(fragment(plan, 'billing@r1-table').scope).toEqual(['f1']);
  });
});

describe('boards', () => {
  it('lists every board in document order with its type, space path, sorted devices, fragments and circuits', async () => {
    const plan = await planOf();
    expect(plan.boards.map((b) => `${b.id} ${b.type} ${b.space.join('/')}`)).toEqual([
      'f1-hall sim f1',
      'r1-door sim f1/r1',
      'r1-table sim f1/r1',
      'r1-wall sim f1/r1',
      'r2-a sim f1/r2',
      'r2-b rpi4 f1/r2',
    ]);
    const door = plan.boards[1];
    expect(door?.devices).toEqual({
      button: { driver: 'gpio-in', settings: { debounce: '10ms', pin: 'GPIO17', pull: 'up' } },
      lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } },
    });
    expect(Object.keys(plan.boards[2]?.devices ?? {})).toEqual(['mic', 'speaker', 'vault']);
    expect(Object.keys(door?.devices['button']?.settings ?? {})).toEqual(['debounce', 'pin', 'pull']);
    expect(door?.fragments).toEqual(['lights@r1']);
    expect(door?.circuits).toEqual(['console@r1-wall/button']);
  });

  it('keeps a board that runs nothing, with the circuits it ends', async () => {
    const lampBoard = (await planOf()).boards.find((b) => b.id === 'r2-b');
    expect(lampBoard?.fragments).toEqual([]);
    expect(lampBoard?.circuits).toEqual(['lights@r2/lamp']);
  });
});

describe('bindings and circuits', () => {
  it('binds local needs without a circuit and remote ones with one circuit each', async () => {
    const plan = await planOf();
    expect(bindings(fragment(plan, 'lights@r1'))).toEqual(['button: r1-door/button', 'lamp: r1-door/lamp']);
    expect(bindings(fragment(plan, 'lights@r2'))).toEqual(['button: r2-a/button', 'lamp: r2-b/lamp via lights@r2/lamp']);
    expect(bindings(fragment(plan, 'console@r1-wall'))).toEqual([
      'heater: r1-wall/heater',
      'button: r1-door/button via console@r1-wall/button',
      'mic: r1-table/mic via console@r1-wall/mic',
      'vault: r1-table/vault via console@r1-wall/vault',
      'speaker: r1-table/speaker via console@r1-wall/speaker',
    ]);
    expect(fragment(plan, 'lights@r2').bindings['lamp']).toEqual({ board: 'r2-b', device: 'lamp', driver: 'gpio-out', local: false, circuit: 'lights@r2/lamp' });
    expect(fragment(plan, 'lights@r1').bindings['lamp']).toEqual({ board: 'r1-door', device: 'lamp', driver: 'gpio-out', local: true });
  });

  it('gives each driver its circuit kind and direction, and names both ends', async () => {
    const plan = await planOf();
    expect(plan.circuits.map((c) => `${c.id} ${c.device.driver} ${c.kind} ${c.direction} ${c.app.board}->${c.device.board}`)).toEqual([
      'lights@r2/lamp gpio-out control from-app r2-a->r2-b',
      'recorder@r1-table/screen display stream from-app r1-table->r1-wall',
      'console@r1-wall/button gpio-in control to-app r1-wall->r1-door',
      'console@r1-wall/mic audio-in stream to-app r1-wall->r1-table',
      'console@r1-wall/vault enclave stream both r1-wall->r1-table',
      'console@r1-wall/speaker audio-out stream from-app r1-wall->r1-table',
      'billing@r1-table/meter serial control both r1-table->f1-hall',
      'tally@r1/screen display stream from-app r1-table->r1-wall',
    ]);
    expect(plan.circuits[0]).toEqual({
      id: 'lights@r2/lamp',
      kind: 'control',
      direction: 'from-app',
      bandwidth: null,
      app: { board: 'r2-a', instance: 'lights@r2', need: 'lamp' },
      device: { board: 'r2-b', device: 'lamp', driver: 'gpio-out' },
    });
    // A stream reserves what its device produces or takes.
    expect(plan.circuits.find((c) => c.id === 'console@r1-wall/mic')?.bandwidth).toBeGreaterThan(0);
  });

  it('lists each circuit on both of its boards, and on no other', async () => {
    const plan = await planOf();
    for (const circuit of plan.circuits) {
      const ends = plan.boards.filter((b) => b.circuits.includes(circuit.id)).map((b) => b.id);
      expect(ends.sort()).toEqual([circuit.app.board, circuit.device.board].sort());
    }
  });
});

describe('grants', () => {
  it('with default deny grants the union of the matching rules, each capability by its first rule, plus clock, log and config', async () => {
    const plan = await planOf();
    expect(fragment(plan, 'lights@r1').grants).toEqual({
      gpio: { rule: 0 },
      channel: { rule: 0 },
      presence: { rule: 1 },
      clock: 'always',
      log: 'always',
      config: 'always',
    });
    expect(fragment(plan, 'lights@r1').rules).toEqual([0, 1]);
  });

  it('applies a where-selector to the board the fragment runs on: ids of a space, kind, has', async () => {
    const plan = await planOf();
    // Rule 1 (`*`, where ids [r1]) reaches every app on a board in r1, and none in r2 or f1.
    expect(fragment(plan, 'lights@r2').grants.presence).toBeUndefined();
    expect(fragment(plan, 'chime@f1').grants).toEqual({ clock: 'always', log: 'always', config: 'always' });
    expect(fragment(plan, 'heating@r1').grants.presence).toEqual({ rule: 1 });
    // Rules 2 (kind room) and 3 (has mic) both reach the recorder on r1-table.
    expect(fragment(plan, 'recorder@r1-table').rules).toEqual([1, 2, 3]);
    // Rule 4 is for console in r2 only; console runs in r1.
    expect(fragment(plan, 'console@r1-wall').rules).toEqual([1]);
  });

  it('takes the shortest retain and the narrowest disclose of the matching rules, with the rule that set each', async () => {
    const recorder = fragment(await planOf(), 'recorder@r1-table');
    expect(recorder.retain).toEqual({ duration: '24h', ms: 86_400_000, rule: 3 });
    expect(recorder.disclose).toEqual({ to: 'participants', rule: 3 });
    expect(fragment(await planOf(), 'lights@r1').retain).toBeNull();
  });

  it('records what the bindings call for and is not granted, channel included, without failing', async () => {
    const plan = await planOf();
    expect(fragment(plan, 'lights@r2').requires).toEqual(['gpio', 'channel']);
    expect(fragment(plan, 'lights@r2').ungranted).toEqual([]);
    expect(fragment(plan, 'recorder@r1-table').ungranted).toEqual(['channel']);
    expect(fragment(plan, 'console@r1-wall').ungranted).toEqual(['gpio', 'audio.in', 'audio.out', 'enclave', 'channel']);
    expect(fragment(plan, 'heating@r2').ungranted).toEqual(['gpio']);
  });

  it('grants network.external only through a rule', async () => {
    const plan = await planOf();
    expect(fragment(plan, 'billing@r1-table').grants['network.external']).toEqual({ rule: 5 });
    expect(plan.fragments.filter((f) => f.grants['network.external'] !== undefined).map((f) => f.instance)).toEqual(['billing@r1-table']);
  });

  it('with default allow grants everything but network.external, rules still recorded where they apply', async () => {
    const plan = await planOf(spaces + apps + policies.replace('default: deny', 'default: allow'));
    expect(plan.policies).toEqual({ file: 'building.yaml', default: 'allow' });
    expect(fragment(plan, 'heating@r2').grants).toEqual({
      gpio: 'default',
      serial: 'default',
      'audio.in': 'default',
      'audio.out': 'default',
      display: 'default',
      enclave: 'default',
      channel: 'default',
      presence: 'default',
      clock: 'always',
      log: 'always',
      config: 'always',
    });
    expect(fragment(plan, 'lights@r1').grants.gpio).toEqual({ rule: 0 });
    expect(fragment(plan, 'billing@r1-table').grants['network.external']).toEqual({ rule: 5 });
    expect(plan.fragments.every((f) => f.ungranted.length === 0)).toBe(true);
  });

  it('reads policies from their own file, and treats no policies as default deny with no rules', async () => {
    const root = await tempBuilding({
      'building.yaml': `${spaces}${apps}policies: policies.yaml\n`,
      'policies.yaml': policies.replace(/^policies:\n/, '').replace(/^ {2}/gm, ''),
      ...Object.fromEntries(appNames.map((app) => [`apps/${app}/`, ''])),
    });
    const result = await validateBuilding(root);
    if (!result.ok) throw new Error(summary(result.issues));
    const fromFile = planBuilding(result.building);
    expect(fromFile.policies).toEqual({ file: 'policies.yaml', default: 'deny' });
    expect(fromFile.fragments).toEqual((await planOf()).fragments);

    const none = await planOf(spaces + apps);
    expect(none.policies).toEqual({ file: 'building.yaml', default: 'deny' });
    expect(none.fragments.every((f) => f.rules.length === 0 && Object.keys(f.grants).join() === 'clock,log,config')).toBe(true);
  });
});

describe('determinism', () => {
  it('gives the same plan, byte for byte, for the same building planned twice', async () => {
    const building = await buildingFrom(spaces + apps + policies);
    expect(JSON.stringify(planBuilding(building))).toBe(JSON.stringify(planBuilding(building)));
  });

  it('gives the same plan when every mapping in building.yaml lists its keys the other way round', async () => {
    const doc = parseDocument(spaces + apps + policies);
    visit(doc, {
      Map(_, map) {
        map.items.reverse();
      },
    });
    const reversed = doc.toString();
    expect(reversed).not.toBe(spaces + apps + policies);
    expect(isMap(doc.contents) && doc.contents.items[0]?.key).toMatchObject({ value: 'policies' });
    expect(JSON.stringify(await planOf(reversed))).toBe(JSON.stringify(await planOf()));
  });

  it('is plain JSON: it survives a round trip unchanged', async () => {
    const plan = await planOf();
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
