import { describe, expect, it } from 'vitest';
import { boardsWithin, indexBuilding } from './indexBuilding.js';

describe('indexBuilding', () => {
  it('links spaces, boards and devices with their paths, in document order', () => {
    const index = indexBuilding({
      spaces: [
        { id: 'f1', kind: 'floor', spaces: [{ id: 'r1', kind: 'room', boards: [{ id: 'b1', board: 'sim', devices: { lamp: { driver: 'gpio-out', pin: 'GPIO4' } } }] }] },
        { id: 'f2', kind: 'floor' },
      ],
    });
    expect(index.spaces.map((s) => s.id)).toEqual(['f1', 'r1', 'f2']);
    expect(index.roots.map((s) => s.id)).toEqual(['f1', 'f2']);
    const device = index.devices[0];
    expect(device?.path).toEqual(['spaces', 0, 'spaces', 0, 'boards', 0, 'devices', 'lamp']);
    expect(device?.board.space.parent?.id).toBe('f1');
    expect(index.byId.get('b1')?.path).toEqual(['spaces', 0, 'spaces', 0, 'boards', 0]);
    const [f1, f2] = index.roots;
    expect(f1 === undefined ? [] : boardsWithin(f1).map((b) => b.id)).toEqual(['b1']);
    expect(f2 === undefined ? ['missing'] : boardsWithin(f2)).toEqual([]);
  });

  it('reads a tree of any depth', () => {
    let space: Record<string, unknown> = { id: 's0', kind: 'desk', boards: [{ id: 'deep', board: 'sim' }] };
    for (let depth = 1; depth < 50; depth++) space = { id: `s${depth}`, kind: 'zone', spaces: [space] };
    const index = indexBuilding({ spaces: [space] });
    expect(index.spaces).toHaveLength(50);
    expect(index.boards[0]?.path).toHaveLength(2 * 50 + 2);
  });

  it.each([
    ['null', null],
    ['a list', ['a']],
    ['text', 'building'],
    ['spaces: null', { spaces: null }],
    ['spaces: 5', { spaces: 5 }],
    ['spaces of odd entries', { spaces: [null, 5, 'x', [], { id: 7, kind: null, boards: 'b', spaces: {} }] }],
    ['boards of odd entries', { spaces: [{ id: 'r', boards: [null, { id: 'b', devices: 5 }, { id: 'c', devices: null }, { id: 'd', devices: [1] }] }] }],
    ['devices that are not mappings', { spaces: [{ id: 'r', boards: [{ id: 'b', devices: { lamp: null, fan: 5, bell: { driver: 3 } } }] }] }],
  ])('survives %s', (_name, data) => {
    expect(() => indexBuilding(data)).not.toThrow();
  });

  it('reads malformed fields as empty, and keeps the first of duplicate ids', () => {
    const index = indexBuilding({ spaces: [{ id: 'a', kind: 'room' }, { id: 'a', kind: 'hall' }, { kind: 5 }] });
    expect(index.spaces.map((s) => [s.id, s.kind])).toEqual([['a', 'room'], ['a', 'hall'], ['', '']]);
    expect((index.byId.get('a') as { kind: string }).kind).toBe('room');
    expect(index.byId.has('')).toBe(false);
  });
});
