import { describe, expect, it } from 'vitest';
import type { BuildPlan } from './BuildPlan.js';
import { emptySchedule } from './PlanSchedule.js';
import { renderPlan } from './renderPlan.js';

const plan: BuildPlan = {
  version: 1,
  building: { id: 'b', name: 'B' },
  policies: { file: 'policies.yaml', default: 'deny' },
  apps: [{ name: 'lights', source: 'apps/lights', needs: ['button', 'lamp'], instances: ['lights@r2'] }],
  boards: [
    {
      id: 'r2-a',
      type: 'sim',
      space: ['f1', 'r2'],
      place: { kind: 'room', name: 'Room 2' },
      devices: { button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } } },
      fragments: ['lights@r2'],
      circuits: ['lights@r2/lamp'],
      address: '127.0.0.1:47001',
    },
    { id: 'r2-b', type: 'rpi4', space: ['f1', 'r2'], place: { kind: 'room', name: 'Room 2' }, devices: { lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } }, fragments: [], circuits: ['lights@r2/lamp'], address: 'r2-b.local:47000' },
    { id: 'spare', type: 'sim', space: ['f1'], place: { kind: 'floor', name: 'f1' }, devices: {}, fragments: [], circuits: [], address: '127.0.0.1:47003' },
  ],
  fragments: [
    {
      instance: 'lights@r2',
      app: 'lights',
      board: 'r2-a',
      runsOn: 'devices',
      scope: ['f1', 'r2'],
      bindings: {
        button: { board: 'r2-a', device: 'button', driver: 'gpio-in', local: true },
        lamp: { board: 'r2-b', device: 'lamp', driver: 'gpio-out', local: false, circuit: 'lights@r2/lamp' },
      },
      grants: { gpio: { rule: 0 }, presence: 'default', clock: 'always', log: 'always', config: 'always' },
      rules: [0],
      requires: ['gpio', 'channel'],
      ungranted: ['channel'],
      retain: { duration: '24h', ms: 86_400_000, rule: 0 },
      disclose: { to: 'participants', rule: 0 },
    },
  ],
  circuits: [
    {
      id: 'lights@r2/lamp',
      kind: 'control',
      direction: 'from-app',
      bandwidth: null,
      app: { board: 'r2-a', instance: 'lights@r2', need: 'lamp' },
      device: { board: 'r2-b', device: 'lamp', driver: 'gpio-out' },
    },
  ],
  schedule: emptySchedule(),
};

describe('renderPlan', () => {
  it('prints each board, its fragments with bindings and grants, and each circuit from both ends', () => {
    expect(renderPlan(plan)).toBe(
      [
        'b  B: 3 boards, 1 fragment, 1 circuit',
        'policies from policies.yaml, default deny',
        '',
        '[r2-a]  sim  in f1/r2',
        '  devices: button (gpio-in)',
        '  runs lights@r2  (holds most of its devices)',
        '    button → button here (gpio-in)',
        '    lamp   → lamp on r2-b over circuit lights@r2/lamp (gpio-out)',
        '    grants gpio (rules[0]); presence (default); clock, log, config',
        '    keeps data 24h (rules[0]), discloses to participants (rules[0])',
        '    not granted: channel (its bindings call for them; the build refuses the app if it imports one)',
        '  circuits:',
        '    lights@r2/lamp  control, from-app: lights@r2 here → lamp (gpio-out) on r2-b',
        '',
        '[r2-b]  rpi4  in f1/r2',
        '  devices: lamp (gpio-out)',
        '  runs nothing',
        '  circuits:',
        '    lights@r2/lamp  control, from-app: lamp (gpio-out) here ← lights@r2 on r2-a',
        '',
        '[spare]  sim  in f1',
        '  devices: none',
        '  runs nothing',
        '',
      ].join('\n'),
    );
  });

  it('names inline rules by their path in building.yaml', () => {
    expect(renderPlan({ ...plan, policies: { file: 'building.yaml', default: 'deny' } })).toContain('gpio (policies.rules[0])');
  });
});
