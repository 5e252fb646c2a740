import type { PathSegment } from './formatPath.js';

// The index is built from the parsed YAML as it is, not from a schema-checked value, so the
// whole-building checks still run (and report) when some nodes failed their own checks.
// Malformed fields read as '' or are left out; the node checks have already reported them.

export interface SpaceNode {
  readonly id: string;
  readonly kind: string;
  /** Its name in building.yaml, or its id when it has none. */
  readonly name: string;
  readonly path: readonly PathSegment[];
  readonly parent: SpaceNode | undefined;
  readonly spaces: SpaceNode[];
  readonly boards: BoardNode[];
}

export interface BoardNode {
  readonly id: string;
  /** The board support package id (`rpi4`, `sim`…). */
  readonly type: string;
  readonly path: readonly PathSegment[];
  readonly space: SpaceNode;
  readonly devices: DeviceNode[];
  /** Where its circuits reach it, when building.yaml says (`address`). */
  readonly address?: string;
  /** `spare: true`: it stands by, and is placed nothing until a board of its space is down. */
  readonly spare: boolean;
}

export interface DeviceNode {
  readonly alias: string;
  readonly driver: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly path: readonly PathSegment[];
  readonly board: BoardNode;
}

/** The building's tree with parent links and paths, plus flat lists in document order. */
export interface BuildingIndex {
  readonly roots: readonly SpaceNode[];
  readonly spaces: readonly SpaceNode[];
  readonly boards: readonly BoardNode[];
  readonly devices: readonly DeviceNode[];
  /** First space or board with each id (duplicates are reported by validation). */
  readonly byId: ReadonlyMap<string, SpaceNode | BoardNode>;
}

export function indexBuilding(building: unknown): BuildingIndex {
  const spaces: SpaceNode[] = [];
  const boards: BoardNode[] = [];
  const devices: DeviceNode[] = [];
  const byId = new Map<string, SpaceNode | BoardNode>();
  const remember = (node: SpaceNode | BoardNode): void => {
    if (node.id !== '' && !byId.has(node.id)) byId.set(node.id, node);
  };
  const visit = (input: Record<string, unknown>, path: PathSegment[], parent: SpaceNode | undefined): SpaceNode => {
    const id = text(input['id']);
    const space: SpaceNode = { id, kind: text(input['kind']), name: typeof input['name'] === 'string' && input['name'] !== '' ? input['name'] : id, path, parent, spaces: [], boards: [] };
    spaces.push(space);
    remember(space);
    list(input['boards']).forEach(([boardInput, b]) => {
      const boardPath = [...path, 'boards', b];
      const address = boardInput['address'];
      const board: BoardNode = { id: text(boardInput['id']), type: text(boardInput['board']), path: boardPath, space, devices: [], spare: boardInput['spare'] === true, ...(typeof address === 'string' ? { address } : {}) };
      for (const [alias, settings] of Object.entries(record(boardInput['devices']))) {
        const fields = record(settings);
        const device: DeviceNode = { alias, driver: text(fields['driver']), settings: fields, path: [...boardPath, 'devices', alias], board };
        board.devices.push(device);
        devices.push(device);
      }
      boards.push(board);
      space.boards.push(board);
      remember(board);
    });
    list(input['spaces']).forEach(([child, s]) => space.spaces.push(visit(child, [...path, 'spaces', s], space)));
    return space;
  };
  const roots = list(record(building)['spaces']).map(([space, s]) => visit(space, ['spaces', s], undefined));
  return { roots, spaces, boards, devices, byId };
}

/** Every board in `space` and the spaces inside it. */
export function boardsWithin(space: SpaceNode): BoardNode[] {
  return [...space.boards, ...space.spaces.flatMap(boardsWithin)];
}

/**
 * The boards of `space` and the spaces inside it that apps are placed on and needs bound to:
 * every one but the spares, which stand by until a board of their space is down.
 */
export function placeableBoardsWithin(space: SpaceNode): BoardNode[] {
  return boardsWithin(space).filter((board) => !board.spare);
}

export function isBoardNode(node: SpaceNode | BoardNode): node is BoardNode {
  return 'devices' in node;
}

/** A string field, or '' when it is missing or not a string. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The mapping entries of a list, with their indexes; other entries are skipped. */
export function list(value: unknown): [Record<string, unknown>, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, i): [Record<string, unknown>, number][] => (isRecord(item) ? [[item, i]] : []));
}

/** A mapping, or {} when the value is not one. */
export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The strings of a list; other entries are skipped. */
export function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
