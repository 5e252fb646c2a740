import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { driverSpecsByName } from '../../drivers/driverSpecs.js';
import { buildingSchema, type BuildingInput } from '../model/buildingSchema.js';
import { indexBuilding } from '../model/indexBuilding.js';
import { bindNeed, placeApp } from '../model/placeApp.js';
import { policiesSchema, type PoliciesInput } from '../model/policiesSchema.js';
import { jsonSchemaFiles } from '../schema/jsonSchemas.js';
import { gridBuilding } from './gridBuilding.js';
import { templateFiles } from './templateFiles.js';
import { templateNames } from './templateNames.js';

const grid = { floors: 2, rooms: 3, boardsPerRoom: 2 };

/** The template's text files: all but the apps' audio clips, which are bytes (test/clips.e2e checks those). */
async function filesOf(template: (typeof templateNames)[number], name = 'Test Building'): Promise<Map<string, string>> {
  const files = await templateFiles({ template, id: 'test', name, grid });
  return new Map([...files].flatMap(([path, content]) => (typeof content === 'string' ? [[path, content] as const] : [])));
}

function yamlOf(files: Map<string, string>, path: string): unknown {
  const text = files.get(path);
  if (text === undefined) throw new Error(`${path} is missing`);
  return parse(text);
}

describe('templateFiles', () => {
  it.each(templateNames)('%s: gives every file a building needs, with modelines and its id and name', async (template) => {
    const files = await filesOf(template);
    for (const path of ['building.yaml', 'policies.yaml', 'README.md', '.gitignore', 'apps/README.md', 'schema/building.schema.json', 'schema/policies.schema.json']) {
      expect(files.has(path), path).toBe(true);
    }
    expect(files.get('building.yaml')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\/building\.schema\.json\n/);
    expect(files.get('policies.yaml')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\/policies\.schema\.json\n/);
    expect(files.get('schema/building.schema.json')).toBe(jsonSchemaFiles()['building.schema.json']);
    expect(files.get('.gitignore')).toMatch(/^\.osmose\/$/m);

    const building = yamlOf(files, 'building.yaml') as BuildingInput;
    expect(buildingSchema.safeParse(building).success).toBe(true);
    expect(building.building).toMatchObject({ id: 'test', name: 'Test Building' });
    expect(building.policies).toBe('policies.yaml');
    const policies = yamlOf(files, 'policies.yaml') as PoliciesInput;
    expect(policiesSchema.safeParse(policies).success).toBe(true);
    expect(policies.default).toBe('deny');

    const readme = files.get('README.md') ?? '';
    expect(readme.startsWith('# Test Building\n')).toBe(true);
    expect(readme).not.toContain('{{');
    for (const named of ['building.yaml', 'policies.yaml', 'apps/', 'keys/', 'schema/', '.osmose/']) expect(readme).toContain(`\`${named}\``);

    const appsReadme = files.get('apps/README.md') ?? '';
    expect(appsReadme).toContain('userland/');
    expect(appsReadme).toContain('docs/abi.md');
    for (const app of building.apps ?? []) {
      // AssemblyScript apps start at assembly/index.ts; those in plain TypeScript (wallpaper, wayfinding) at src/index.ts.
      expect(files.get(`${app.source}/assembly/index.ts`) ?? files.get(`${app.source}/src/index.ts`), app.name).toMatch(/from ["']osmose["']/);
      expect(files.has(`${app.source}/README.md`), app.name).toBe(true);
    }
    // Only the apps the building names are copied.
    const appFolders = new Set([...files.keys()].filter((path) => /^apps\/[^/]+\//.test(path)).map((path) => path.split('/').slice(0, 2).join('/')));
    // booth-lights is the lights app placed otherwise: one folder serves both.
    expect([...appFolders].sort()).toEqual([...new Set((building.apps ?? []).map((app) => app.source))].sort());
  });

  it('keeps a building name as written, even with YAML and replacement characters in it', async () => {
    const name = 'Bâtiment: "A", #1 $& $1';
    const files = await filesOf('coworking', name);
    expect((yamlOf(files, 'building.yaml') as BuildingInput).building.name).toBe(name);
    expect(files.get('README.md')?.split('\n')[0]).toBe(`# ${name}`);
  });

  it('empty: no spaces, no apps, and policies that deny everything', async () => {
    const files = await filesOf('empty');
    const building = yamlOf(files, 'building.yaml') as BuildingInput;
    expect(building.spaces).toEqual([]);
    expect(building.apps).toBeUndefined();
    expect(yamlOf(files, 'policies.yaml')).toEqual({ default: 'deny', rules: [] });
  });

  it('grid: building.yaml is the generated building, written by the yaml package', async () => {
    const files = await filesOf('grid');
    expect(yamlOf(files, 'building.yaml')).toEqual(gridBuilding(grid, { id: 'test', name: 'Test Building' }));
    expect(files.get('building.yaml')).toContain('--floors 2 --rooms 3 --boards-per-room 2');
    expect(files.get('apps/lights/assembly/index.ts')).toBeDefined();
  });

  describe('coworking, the scenario of the paper', async () => {
    const files = await filesOf('coworking');
    const building = yamlOf(files, 'building.yaml') as BuildingInput;
    const policies = yamlOf(files, 'policies.yaml') as PoliciesInput;
    const index = indexBuilding(building);
    const spaceOf = (id: string) => index.spaces.find((space) => space.id === id);
    const devicesIn = (spaceId: string) => index.devices.filter((device) => device.board.space.id === spaceId);

    it('has an entrance, a corridor, two meeting rooms, an open space and a phone booth, inside a floor', () => {
      const floor = building.spaces[0];
      expect(building.spaces).toHaveLength(1);
      expect(floor?.kind).toBe('floor');
      expect(floor?.spaces?.map((space) => space.kind)).toEqual(['entrance', 'corridor', 'room', 'room', 'open-space', 'booth']);
    });

    it('has at least 12 boards, every one of them sim', () => {
      expect(index.boards.length).toBeGreaterThanOrEqual(12);
      expect(index.boards.filter((board) => board.type !== 'sim')).toEqual([]);
    });

    it('has door buttons, lamps, heaters, e-ink displays, directional speakers, and a microphone and an enclave in each meeting room', () => {
      const drivers = (alias: string) => index.devices.filter((device) => device.alias === alias).map((device) => device.settings);
      expect(drivers('button').every((s) => s['driver'] === 'gpio-in')).toBe(true);
      expect(drivers('lamp').every((s) => s['driver'] === 'gpio-out')).toBe(true);
      expect(drivers('heater').length).toBeGreaterThan(0);
      expect(drivers('heater').every((s) => s['driver'] === 'gpio-out')).toBe(true);
      expect(drivers('screen').every((s) => s['driver'] === 'display' && s['technology'] === 'e-ink')).toBe(true);
      expect(drivers('speaker').every((s) => s['driver'] === 'audio-out' && s['directional'] === true)).toBe(true);
      expect(index.boards.some((board) => board.id.endsWith('-door') && board.devices.some((device) => device.alias === 'button'))).toBe(true);
      for (const room of index.spaces.filter((space) => space.kind === 'room')) {
        const aliases = devicesIn(room.id).map((device) => `${device.alias}:${device.driver}`);
        expect(aliases).toEqual(expect.arrayContaining(['mic:audio-in', 'vault:enclave', 'heater:gpio-out', 'button:gpio-in', 'lamp:gpio-out']));
      }
      expect(spaceOf('corridor')).toBeDefined();
    });

    it('places lights, needing exactly button and lamp, where both bind to one device everywhere', () => {
      const lights = building.apps?.find((app) => app.name === 'lights');
      expect(lights?.needs).toEqual(['button', 'lamp']);
      expect(files.get('apps/lights/assembly/index.ts')).toMatch(/lit = !lit/);
    });

    it('binds every need of every app without ambiguity in every place it runs', () => {
      for (const app of building.apps ?? []) {
        const placements = placeApp(app.place, index);
        expect(placements.length, app.name).toBeGreaterThan(0);
        for (const placement of placements) {
          for (const alias of app.needs ?? []) expect(bindNeed(alias, placement).kind, `${app.name} ${alias} in ${placement.scope.id}`).toBe('bound');
        }
      }
    });

    it('grants each app exactly the capabilities its devices, the services it imports and its circuits need', () => {
      // An app whose needs, in one place, bind devices of more than one board reaches some of them over a circuit.
      const boardsBound = (app: NonNullable<BuildingInput['apps']>[number]) =>
        placeApp(app.place, index).map((placement) => new Set((app.needs ?? []).flatMap((alias) => {
          const bound = bindNeed(alias, placement);
          return bound.kind === 'bound' ? [bound.device.board.id] : [];
        })).size);
      const acrossCircuits = new Set((building.apps ?? []).filter((app) => boardsBound(app).some((count) => count > 1)).map((app) => app.name));
      const services: Record<string, string> = { presence: 'presence', channel: 'channel', network: 'network.external' };
      for (const app of building.apps ?? []) {
        const source = files.get(`${app.source}/assembly/index.ts`) ?? files.get(`${app.source}/src/index.ts`) ?? '';
        const imported = /import \{([^}]*)\} from ["']osmose["']/.exec(source)?.[1]?.split(',').map((name) => name.trim()) ?? [];
        const needed = new Set<string>();
        for (const alias of app.needs ?? []) {
          for (const device of index.devices.filter((d) => d.alias === alias)) needed.add(driverSpecsByName.get(device.driver)?.capability ?? '?');
        }
        for (const name of imported) if (services[name] !== undefined) needed.add(services[name]);
        // A device on another board is reached over a circuit, which policy grants as channel.
        if (acrossCircuits.has(app.name)) needed.add('channel');
        const rules = (policies.rules ?? []).filter((rule) => rule.app === app.name);
        expect(rules, app.name).toHaveLength(1);
        expect([...(rules[0]?.allow ?? [])].sort(), app.name).toEqual([...needed].sort());
      }
    });

    it('keeps recordings 24h, disclosed to their participants, and denies everything else', () => {
      expect(policies.default).toBe('deny');
      expect(policies.rules?.find((rule) => rule.app === 'recorder')).toMatchObject({ retain: '24h', disclose: 'participants' });
      expect(policies.rules?.flatMap((rule) => rule.allow ?? [])).not.toContain('network.external');
    });
  });
});
