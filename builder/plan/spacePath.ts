import type { SpaceNode } from '../model/indexBuilding.js';

/** Ids of `space` and the spaces that hold it, outermost first. */
export function spacePath(space: SpaceNode): string[] {
  const ids: string[] = [];
  for (let at: SpaceNode | undefined = space; at !== undefined; at = at.parent) ids.push(at.id);
  return ids.reverse();
}
