import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, visit, type Document } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { templateFiles } from '../builder/init/templateFiles.js';
import type { BuildPlan, PlannedFragment } from '../builder/plan/BuildPlan.js';
import { removeTempBuildings, tempBuilding } from './fixtures/tempBuilding.js';
import { runOsmose, type Run } from './fixtures/runOsmose.js';

// `osmose plan` end to end: buildings written by the templates `osmose init` uses, planned
// through the CLI in-process.

afterEach(removeTempBuildings);

function osmose(args: readonly string[]): Promise<Run> {
  return runOsmose(args);
}

async function fromTemplate(template: 'coworking' | 'grid', grid = { floors: 1, rooms: 1, boardsPerRoom: 1 }): Promise<string> {
  const files = await templateFiles({ template, id: template, name: `The ${template} building`, grid });
  return tempBuilding(Object.fromEntries(files));
}

/** Edits a building's building.yaml through the YAML document, so an edit cannot silently miss. */
async function editBuilding(root: string, edit: (doc: Document, app: (name: string) => number) => void): Promise<void> {
  const file = join(root, 'building.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  const names = (doc.toJS() as { apps: { name: string }[] }).apps.map((app) => app.name);
  edit(doc, (name) => {
    expect(names).toContain(name);
    return names.indexOf(name);
  });
  await writeFile(file, doc.toString());
}

async function planJson(root: string): Promise<BuildPlan> {
  const run = await osmose(['-C', root, 'plan', '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as BuildPlan;
}

const byInstance = (plan: BuildPlan): Map<string, PlannedFragment> => new Map(plan.fragments.map((f) => [f.instance, f]));
const instancesOf = (plan: BuildPlan, app: string): readonly string[] => plan.apps.find((a) => a.name === app)?.instances ?? [];

describe('osmose plan on the coworking template', () => {
  it('runs lights on every board with a button and a lamp, bound to that board\'s own', async () => {
    const plan = await planJson(await fromTemplate('coworking'));
    expect(plan.boards).toHaveLength(21);
    const fragments = byInstance(plan);
    const lightBoards = plan.boards.filter((b) => 'button' in b.devices && 'lamp' in b.devices).map((b) => b.id);
    expect(lightBoards).toEqual(['entrance-door', 'corridor-lights', 'meeting-1-door', 'meeting-2-door', 'open-space-door', 'open-space-windows']);
    expect(instancesOf(plan, 'lights')).toEqual(lightBoards.map((id) => `lights@${id}`));
    for (const id of lightBoards) {
      const lights = fragments.get(`lights@${id}`);
      expect(lights?.board).toBe(id);
      expect(lights?.bindings).toEqual({
        button: { board: id, device: 'button', driver: 'gpio-in', local: true },
        lamp: { board: id, device: 'lamp', driver: 'gpio-out', local: true },
      });
      expect(plan.boards.find((b) => b.id === id)?.fragments).toContain(`lights@${id}`);
    }
  });

  it('records in each meeting room by its vault, its mic across a stream circuit, kept 24h for the participants', async () => {
    const plan = await planJson(await fromTemplate('coworking'));
    expect(instancesOf(plan, 'recorder')).toEqual(['recorder@meeting-1', 'recorder@meeting-2']);
    for (const room of ['meeting-1', 'meeting-2']) {
      const recorder = byInstance(plan).get(`recorder@${room}`);
      expect(recorder?.scope).toEqual(['ground', room]);
      expect(Object.entries(recorder?.bindings ?? {}).map(([need, b]) => `${need}: ${b.board}/${b.device} ${b.local ? 'local' : 'remote'}`)).toEqual([
        `vault: ${room}-table/vault local`,
        `mic: ${room}-ceiling/mic remote`,
      ]);
      expect(plan.boards.find((b) => b.id === `${room}-table`)?.fragments).toEqual([`recorder@${room}`]);
      expect(Object.keys(recorder?.grants ?? {})).toEqual(['audio.in', 'enclave', 'channel', 'presence', 'clock', 'log', 'config']);
      expect(recorder?.retain).toEqual({ duration: '24h', ms: 86_400_000, rule: 4 });
      expect(recorder?.disclose).toEqual({ to: 'participants', rule: 4 });
    }
  });

  it('places wayfinding on the speakers of the entrance and corridor, heating beside each heater, the wallpaper on each screen but the entrance\'s', async () => {
    const plan = await planJson(await fromTemplate('coworking'));
    expect(instancesOf(plan, 'wayfinding')).toEqual(['wayfinding@entrance-guide', 'wayfinding@corridor-guide-1', 'wayfinding@corridor-guide-2']);
    expect(instancesOf(plan, 'heating')).toEqual(['heating@meeting-1-heating', 'heating@meeting-2-heating', 'heating@open-space-heating']);
    expect(instancesOf(plan, 'wallpaper')).toEqual(['wallpaper@meeting-1-wall', 'wallpaper@meeting-2-wall', 'wallpaper@open-space-wall']);
    expect(plan.boards.find((b) => b.id === 'entrance-guide')?.fragments).toEqual(['wayfinding@entrance-guide', 'presence@entrance-guide']);
  });

  it('welcomes people at the entrance with the presence app, on the entrance\'s own screen and speaker', async () => {
    const plan = await planJson(await fromTemplate('coworking'));
    expect(instancesOf(plan, 'presence')).toEqual(['presence@entrance-guide']);
    const presence = byInstance(plan).get('presence@entrance-guide');
    expect(presence?.scope).toEqual(['ground', 'entrance']);
    expect(presence?.bindings).toEqual({
      screen: { board: 'entrance-guide', device: 'screen', driver: 'display', local: true },
      speaker: { board: 'entrance-guide', device: 'speaker', driver: 'audio-out', local: true },
    });
    expect(Object.keys(presence?.grants ?? {})).toEqual(['audio.out', 'display', 'presence', 'clock', 'log', 'config']);
    expect(presence?.retain).toBeNull();
  });

  it("needs three circuits, the meeting rooms' microphones and the phone booth's light, grants every fragment what its devices call for, and lets nothing out of the building", async () => {
    const plan = await planJson(await fromTemplate('coworking'));
    expect(plan.fragments).toHaveLength(19);
    expect(plan.circuits.map((c) => `${c.id} ${c.kind} ${c.direction} ${c.app.board} ${c.device.board}`)).toEqual([
      'recorder@meeting-1/mic stream to-app meeting-1-table meeting-1-ceiling',
      'recorder@meeting-2/mic stream to-app meeting-2-table meeting-2-ceiling',
      'booth-lights@booth/lamp control from-app booth-door booth-ceiling',
    ]);
    // Every board runs something, but those whose devices a fragment on another board drives.
    expect(plan.boards.filter((b) => b.fragments.length === 0).map((b) => b.id)).toEqual(['meeting-1-ceiling', 'meeting-2-ceiling', 'booth-ceiling']);
    expect(plan.boards.filter((b) => b.circuits.length > 0).map((b) => b.id)).toEqual(['meeting-1-table', 'meeting-1-ceiling', 'meeting-2-table', 'meeting-2-ceiling', 'booth-door', 'booth-ceiling']);
    expect(plan.fragments.filter((f) => f.ungranted.length > 0).map((f) => f.instance)).toEqual([]);
    expect(plan.fragments.filter((f) => f.grants['network.external'] !== undefined)).toEqual([]);
    expect(plan.policies).toEqual({ file: 'policies.yaml', default: 'deny' });
  });

  it('prints a summary per board', async () => {
    const run = await osmose(['-C', await fromTemplate('coworking'), 'plan']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^coworking {2}The coworking building: 21 boards, 19 fragments, 3 circuits\n/);
    expect(run.stdout.match(/^\[[a-z0-9-]+\] {2}sim {2}in ground\/[a-z0-9-]+$/gm)).toHaveLength(21);
    expect(run.stdout).toContain(
      [
        '[meeting-1-table]  sim  in ground/meeting-1',
        '  devices: vault (enclave)',
        '  runs recorder@meeting-1  (holds most of its devices)',
        '    vault → vault here (enclave)',
        '    mic   → mic on meeting-1-ceiling over circuit recorder@meeting-1/mic (audio-in)',
        '    grants audio.in, enclave, channel, presence (rules[4]); clock, log, config',
        '    keeps data 24h (rules[4]), discloses to participants (rules[4])',
        '  circuits:',
        '    recorder@meeting-1/mic  stream, to-app, 128 kB/s reserved: recorder@meeting-1 here ← mic (audio-in) on meeting-1-ceiling',
      ].join('\n'),
    );
  });
});

describe('osmose plan on a coworking building with circuits', () => {
  it('runs heating placed by room beside the button, with a control circuit to the heater, and notes channel is not granted', async () => {
    const root = await fromTemplate('coworking');
    await editBuilding(root, (doc, app) => {
      doc.setIn(['apps', app('heating'), 'place'], doc.createNode({ kind: 'room' }, { flow: true }));
      doc.setIn(['apps', app('heating'), 'needs'], doc.createNode(['heater', 'button'], { flow: true }));
    });
    const plan = await planJson(root);
    expect(instancesOf(plan, 'heating')).toEqual(['heating@meeting-1', 'heating@meeting-2']);
    // One device each on the door and heating boards: the door board comes first in building.yaml.
    const heating = byInstance(plan).get('heating@meeting-1');
    expect(heating?.board).toBe('meeting-1-door');
    expect(heating?.bindings['heater']).toEqual({ board: 'meeting-1-heating', device: 'heater', driver: 'gpio-out', local: false, circuit: 'heating@meeting-1/heater' });
    expect(heating?.ungranted).toEqual(['channel']);
    expect(plan.circuits.map((c) => `${c.id} ${c.kind} ${c.direction} ${c.app.board} ${c.device.board}`)).toEqual([
      'heating@meeting-1/heater control from-app meeting-1-door meeting-1-heating',
      'heating@meeting-2/heater control from-app meeting-2-door meeting-2-heating',
      'recorder@meeting-1/mic stream to-app meeting-1-table meeting-1-ceiling',
      'recorder@meeting-2/mic stream to-app meeting-2-table meeting-2-ceiling',
      'booth-lights@booth/lamp control from-app booth-door booth-ceiling',
    ]);
    expect(plan.boards.find((b) => b.id === 'meeting-1-heating')).toMatchObject({ fragments: [], circuits: ['heating@meeting-1/heater'] });

    const run = await osmose(['-C', root, 'plan']);
    expect(run.stdout).toContain('    heater → heater on meeting-1-heating over circuit heating@meeting-1/heater (gpio-out)\n');
    expect(run.stdout).toContain('    not granted: channel');
    expect(run.stdout).toContain('    heating@meeting-1/heater  control, from-app: heater (gpio-out) here ← heating@meeting-1 on meeting-1-door\n');
  });
});

describe('determinism', () => {
  it('prints the same plan, text and JSON, on two runs', async () => {
    const root = await fromTemplate('coworking');
    for (const args of [['plan'], ['plan', '--json']]) {
      const first = await osmose(['-C', root, ...args]);
      const second = await osmose(['-C', root, ...args]);
      expect(first.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
    }
  });

  it('prints the same JSON when every mapping in building.yaml and policies.yaml lists its keys the other way round', async () => {
    const root = await fromTemplate('coworking');
    const before = (await osmose(['-C', root, 'plan', '--json'])).stdout;
    for (const file of ['building.yaml', 'policies.yaml']) {
      const doc = parseDocument(await readFile(join(root, file), 'utf8'));
      visit(doc, {
        Map(_, map) {
          map.items.reverse();
        },
      });
      await writeFile(join(root, file), doc.toString());
    }
    const reversed = await readFile(join(root, 'building.yaml'), 'utf8');
    expect(reversed.indexOf('policies: policies.yaml')).toBeLessThan(reversed.indexOf('osmose: 1'));
    const after = await osmose(['-C', root, 'plan', '--json']);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before);
  });
});

describe('the 1,000-board grid', () => {
  it('plans 1,000 boards, each running lights on its own button and lamp', async () => {
    const plan = await planJson(await fromTemplate('grid', { floors: 10, rooms: 25, boardsPerRoom: 4 }));
    expect(plan.boards).toHaveLength(1000);
    expect(plan.fragments).toHaveLength(1000);
    expect(plan.circuits).toHaveLength(0);
    expect(plan.boards[999]?.id).toBe('f10-r25-b4');
    expect(plan.boards[999]?.space).toEqual(['f10', 'f10-r25']);
    expect(plan.boards.every((b) => b.fragments.length === 1 && b.fragments[0] === `lights@${b.id}`)).toBe(true);
    expect(plan.fragments.every((f) => Object.values(f.bindings).every((b) => b.local && b.board === f.board))).toBe(true);
    expect(plan.fragments.every((f) => f.ungranted.length === 0)).toBe(true);
  });
});

describe('refusals', () => {
  it('refuses an invalid building with its problems and exit status 1', async () => {
    const root = await fromTemplate('coworking');
    await editBuilding(root, (doc, app) => {
      doc.addIn(['apps', app('recorder'), 'needs'], 'speaker');
    });
    const run = await osmose(['-C', root, 'plan']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^building\.yaml:\d+:\d+: error: .*"speaker"/m);
    const json = await osmose(['-C', root, 'plan', '--json']);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; data: { issues: { code: string }[] } } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('building.invalid');
    expect(out.error.data.issues.map((issue) => issue.code)).toEqual(['needs.unbound']);
  });

  it('refuses an app placed in a space with no board (validation: place.no-board)', async () => {
    const root = await fromTemplate('coworking');
    await editBuilding(root, (doc) => {
      doc.addIn(['spaces'], { id: 'roof', kind: 'roof' });
      doc.addIn(['apps'], { name: 'weather', source: 'apps/lights', place: { kind: 'roof' } });
    });
    const run = await osmose(['-C', root, 'plan', '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { error: { code: string; data: { issues: { code: string }[] } } };
    expect(out.error.code).toBe('building.invalid');
    expect(out.error.data.issues.map((issue) => issue.code)).toEqual(['place.no-board']);
    const text = await osmose(['-C', root, 'plan']);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/placed in roof, which has no board to run it/);
    expect(text.stderr).toMatch(/fix: add a board to each of those spaces/);
  });

  it('has --help', async () => {
    const run = await osmose(['plan', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--json/);
  });
});
