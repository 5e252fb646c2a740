import { describe, expect, it } from 'vitest';
import { indexBuilding } from './indexBuilding.js';
import { bindNeed, placeApp, type Placement } from './placeApp.js';

const lamp = (pin: string): object => ({ driver: 'gpio-out', pin });
const index = indexBuilding({
  spaces: [
    {
      id: 'f1',
      kind: 'floor',
      boards: [{ id: 'f1-hall', board: 'sim', devices: { lamp: lamp('GPIO2') } }],
      spaces: [
        { id: 'r1', kind: 'room', boards: [{ id: 'r1-a', board: 'sim', devices: { lamp: lamp('GPIO3'), button: {} } }, { id: 'r1-b', board: 'sim', devices: { lamp: lamp('GPIO4') } }] },
        { id: 'r2', kind: 'room', boards: [{ id: 'r2-a', board: 'sim', devices: { button: {} } }] },
      ],
    },
  ],
});

const where = (placements: Placement[]): string[] => placements.map((p) => `${p.scope.id}${p.host === undefined ? '' : `/${p.host.id}`}`);

describe('placeApp', () => {
  it('places once in every space of a kind, in document order', () => {
    expect(where(placeApp({ kind: 'room' }, index))).toEqual(['r1', 'r2']);
  });

  it('places in the spaces and on the boards named by ids', () => {
    expect(where(placeApp({ ids: ['r2', 'r1-b', 'nope'] }, index))).toEqual(['r2', 'r1/r1-b']);
  });

  it('places on every board that has all the aliases in has, narrowing kind or ids', () => {
    expect(where(placeApp({ has: ['lamp'] }, index))).toEqual(['f1/f1-hall', 'r1/r1-a', 'r1/r1-b']);
    expect(where(placeApp({ has: ['lamp', 'button'] }, index))).toEqual(['r1/r1-a']);
    expect(where(placeApp({ kind: 'room', has: ['button'] }, index))).toEqual(['r1/r1-a', 'r2/r2-a']);
    expect(where(placeApp({ ids: ['f1'], has: ['button'] }, index))).toEqual(['f1/r1-a', 'f1/r2-a']);
    expect(where(placeApp({ ids: ['r1-b'], has: ['button'] }, index))).toEqual([]);
  });

  it('places once on a board reached both by its space and by a space around it', () => {
    expect(where(placeApp({ ids: ['f1', 'r1'], has: ['lamp'] }, index))).toEqual(['f1/f1-hall', 'f1/r1-a', 'f1/r1-b']);
    expect(where(placeApp({ ids: ['r1-a', 'r1'], has: ['lamp'] }, index))).toEqual(['r1/r1-a', 'r1/r1-b']);
  });

  it('places nothing for an empty selector, an unknown kind, or has matching no board', () => {
    expect(placeApp({}, index)).toEqual([]);
    expect(placeApp({ kind: 'kitchen' }, index)).toEqual([]);
    expect(placeApp({ has: ['screen'] }, index)).toEqual([]);
  });
});

describe('bindNeed', () => {
  const [r1, r2] = placeApp({ kind: 'room' }, index) as [Placement, Placement];

  it('binds the one device of that alias in the placed space', () => {
    const binding = bindNeed('button', r1);
    expect(binding.kind === 'bound' && binding.device.board.id).toBe('r1-a');
  });

  it('finds nothing, or too much', () => {
    expect(bindNeed('lamp', r2).kind).toBe('missing');
    const binding = bindNeed('lamp', r1);
    expect(binding.kind === 'ambiguous' && binding.devices.map((d) => d.board.id)).toEqual(['r1-a', 'r1-b']);
  });

  it('prefers the host board\'s own device, then the rest of its space', () => {
    const [onB] = placeApp({ ids: ['r1-b'] }, index) as [Placement];
    const own = bindNeed('lamp', onB);
    expect(own.kind === 'bound' && own.device.board.id).toBe('r1-b');
    const other = bindNeed('button', onB);
    expect(other.kind === 'bound' && other.device.board.id).toBe('r1-a');
  });

  it('looks into the spaces inside the placed one', () => {
    const [floor] = placeApp({ kind: 'floor' }, index) as [Placement];
    expect(bindNeed('button', floor).kind).toBe('ambiguous');
    expect(bindNeed('lamp', floor).kind).toBe('ambiguous');
  });
});
