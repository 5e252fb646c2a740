import { isBoardNode, placeableBoardsWithin, type BoardNode, type BuildingIndex, type DeviceNode, type SpaceNode } from './indexBuilding.js';
import type { Selector } from './selectorSchema.js';

/**
 * One instance of an app: the space its needs are bound in, and the board it is pinned to
 * when the selector chose boards (`has`, or a board id).
 */
export interface Placement {
  readonly scope: SpaceNode;
  readonly host: BoardNode | undefined;
}

/**
 * The instances a selector makes, in document order. Unknown ids and kinds, and an empty
 * selector, select nothing; nor does a spare board (`spare: true`), which runs nothing until the
 * planner moves a down board's fragments to it.
 */
export function placeApp(selector: Selector, index: BuildingIndex): Placement[] {
  let placements: Placement[];
  if (selector.ids !== undefined) {
    placements = [...new Set(selector.ids)].flatMap((id): Placement[] => {
      const node = index.byId.get(id);
      if (node === undefined) return [];
      // A spare runs nothing while the boards of its space are up, even when named.
      if (isBoardNode(node)) return node.spare ? [] : [{ scope: node.space, host: node }];
      return [{ scope: node, host: undefined }];
    });
  } else if (selector.kind !== undefined) {
    placements = index.spaces.filter((space) => space.kind === selector.kind).map((scope) => ({ scope, host: undefined }));
  } else if (selector.has !== undefined) {
    placements = index.boards.filter((board) => !board.spare).map((board) => ({ scope: board.space, host: board }));
  } else {
    return []; // an empty selector places nothing (the schema refuses it)
  }
  const has = selector.has;
  if (has === undefined) return placements;
  // A board reached twice (named itself and through its space) runs the app once, in the
  // first place that reached it.
  const seen = new Set<BoardNode>();
  return placements.flatMap((placement): Placement[] => {
    const candidates = placement.host !== undefined ? [placement.host] : placeableBoardsWithin(placement.scope);
    return candidates
      .filter((board) => has.every((alias) => board.devices.some((device) => device.alias === alias)))
      .filter((board) => !seen.has(board) && seen.add(board) !== undefined)
      .map((host) => ({ scope: placement.scope, host }));
  });
}

export type Binding =
  | { readonly kind: 'bound'; readonly device: DeviceNode }
  | { readonly kind: 'missing' }
  | { readonly kind: 'ambiguous'; readonly devices: readonly DeviceNode[] };

/**
 * Binds one needed alias for a placement: the host board's own device first, otherwise the
 * one device of that alias in the placement's space (and the spaces inside it). Spares'
 * devices are not bound: a spare stands by with the same aliases as the board it may replace.
 */
export function bindNeed(alias: string, placement: Placement): Binding {
  const own = placement.host?.devices.find((device) => device.alias === alias);
  if (own !== undefined) return { kind: 'bound', device: own };
  const found = placeableBoardsWithin(placement.scope).flatMap((board) => board.devices.filter((device) => device.alias === alias));
  if (found.length === 0) return { kind: 'missing' };
  if (found.length > 1) return { kind: 'ambiguous', devices: found };
  return { kind: 'bound', device: found[0] as DeviceNode };
}
