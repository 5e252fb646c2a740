import { createHash } from 'node:crypto';
import type { RolloutTarget } from './RolloutSpec.js';

/**
 * The order in which waves reach boards: one board from each room in turn, so a wave of n
 * boards touches n rooms when the building has that many, and a bad image shows up in one
 * meeting room rather than darkening a whole floor. Rooms and the boards within a room are
 * ordered by a hash salted with `seed` (the build): deterministic for a rollout, but not the
 * same canary board in every rollout.
 */
export function spreadOrder(targets: readonly RolloutTarget[], seed: string): string[] {
  const key = (name: string): string => createHash('sha256').update(seed).update('\0').update(name).digest('hex');
  const byKey = (a: string, b: string): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  const rooms = new Map<string, string[]>();
  for (const target of targets) {
    const room = rooms.get(target.space) ?? [];
    room.push(target.board);
    rooms.set(target.space, room);
  }
  const queues = [...rooms.keys()].sort(byKey).map((space) => (rooms.get(space) ?? []).sort(byKey));
  const order: string[] = [];
  for (let turn = 0; order.length < targets.length; turn++) {
    for (const queue of queues) {
      const board = queue[turn];
      if (board !== undefined) order.push(board);
    }
  }
  return order;
}
