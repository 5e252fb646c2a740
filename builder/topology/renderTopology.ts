import type { BuildingInput, SpaceInput } from '../model/buildingSchema.js';

/** The containment tree as text: spaces, their boards, and each board's devices. */
export function renderTopology(building: BuildingInput): string {
  const { id, name, location } = building.building;
  const out = [`${id}  ${name}${location === undefined ? '' : ` (${location})`}`];
  const walk = (spaces: readonly SpaceInput[], indent: string): void => {
    spaces.forEach((space, s) => {
      const lastSpace = s === spaces.length - 1;
      out.push(`${indent}${lastSpace ? '└── ' : '├── '}${space.id}  ${space.kind}${space.name === undefined ? '' : `  "${space.name}"`}`);
      const inner = indent + (lastSpace ? '    ' : '│   ');
      const boards = space.boards ?? [];
      const children = space.spaces ?? [];
      boards.forEach((board, b) => {
        const lastBoard = b === boards.length - 1 && children.length === 0;
        out.push(`${inner}${lastBoard ? '└── ' : '├── '}[${board.id}]  ${board.board}`);
        const deviceIndent = inner + (lastBoard ? '    ' : '│   ');
        const devices = Object.entries(board.devices ?? {});
        devices.forEach(([alias, device], d) => {
          const settings = Object.entries(device)
            .filter(([key]) => key !== 'driver')
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(' ');
          out.push(`${deviceIndent}${d === devices.length - 1 ? '└── ' : '├── '}${alias}: ${String(device['driver'])}${settings === '' ? '' : ` ${settings}`}`);
        });
      });
      walk(children, inner);
    });
  };
  walk(building.spaces, '');
  return `${out.join('\n')}\n`;
}
