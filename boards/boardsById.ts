import beagleboneBlack from './beaglebone-black.js';
import type { BoardSpec } from './BoardSpec.js';
import qemuVirt from './qemu-virt.js';
import rpi4 from './rpi4.js';
import rpi5 from './rpi5.js';
import sim from './sim.js';

/** Every board support package osmose ships, by the id used in building.yaml. */
export const boardsById: ReadonlyMap<string, BoardSpec> = new Map(
  [rpi4, rpi5, beagleboneBlack, qemuVirt, sim].map((board) => [board.id, board]),
);

export const boardIds: readonly string[] = [...boardsById.keys()];
