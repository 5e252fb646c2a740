import type { BuildingInput, DeviceInput, SpaceInput } from '../model/buildingSchema.js';

export interface TopologySpace {
  readonly id: string;
  readonly kind: string;
  readonly name?: string;
  readonly boards: readonly TopologyBoard[];
  readonly spaces: readonly TopologySpace[];
}

export interface TopologyBoard {
  readonly id: string;
  readonly board: string;
  readonly devices: Readonly<Record<string, DeviceInput>>;
}

export interface Topology {
  readonly building: BuildingInput['building'];
  readonly spaces: readonly TopologySpace[];
}

/** The containment tree as plain data, every list present (for `osmose topology --json`). */
export function topologyTree(building: BuildingInput): Topology {
  const space = (input: SpaceInput): TopologySpace => ({
    id: input.id,
    kind: input.kind,
    ...(input.name === undefined ? {} : { name: input.name }),
    boards: (input.boards ?? []).map((board) => ({ id: board.id, board: board.board, devices: board.devices ?? {} })),
    spaces: (input.spaces ?? []).map(space),
  });
  return { building: building.building, spaces: building.spaces.map(space) };
}
