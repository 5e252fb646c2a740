import type { BoardInput, BuildingInput, DeviceInput, SpaceInput } from '../model/buildingSchema.js';

export interface GridSize {
  readonly floors: number;
  readonly rooms: number;
  readonly boardsPerRoom: number;
}

export const defaultGridSize: GridSize = { floors: 2, rooms: 4, boardsPerRoom: 2 };

/**
 * A synthetic building for benchmarks and scale tests: floors f1…fF, each with rooms
 * fF-r1…, each with `boardsPerRoom` sim boards. Every board has a button and a lamp (the
 * lights app runs on each); the boards of a room take turns carrying a heater, an e-ink
 * display, a microphone or a meter on a serial line, so the building has varied devices.
 */
export function gridBuilding(size: GridSize, building: { readonly id: string; readonly name: string }): BuildingInput {
  const floors: SpaceInput[] = [];
  for (let f = 1; f <= size.floors; f++) {
    const rooms: SpaceInput[] = [];
    for (let r = 1; r <= size.rooms; r++) {
      const room = `f${f}-r${r}`;
      const boards: BoardInput[] = [];
      for (let b = 1; b <= size.boardsPerRoom; b++) boards.push({ id: `${room}-b${b}`, board: 'sim', devices: devicesOf(b) });
      rooms.push({ id: room, kind: 'room', boards });
    }
    floors.push({ id: `f${f}`, kind: 'floor', spaces: rooms });
  }
  return {
    osmose: 1,
    building: { id: building.id, name: building.name },
    spaces: floors,
    apps: [{ name: 'lights', source: 'apps/lights', place: { has: ['button', 'lamp'] }, needs: ['button', 'lamp'] }],
    policies: 'policies.yaml',
  };
}

/** The devices of the `b`th board of a room (from 1); every pin is distinct on a board. */
function devicesOf(b: number): Record<string, DeviceInput> {
  const devices: Record<string, DeviceInput> = {
    button: { driver: 'gpio-in', pin: 'GPIO17', pull: 'up', debounce: '10ms' },
    lamp: { driver: 'gpio-out', pin: 'GPIO27' },
  };
  switch (b % 4) {
    case 1:
      devices['heater'] = { driver: 'gpio-out', pin: 'GPIO22' };
      break;
    case 2:
      devices['screen'] = { driver: 'display', width: 800, height: 480, technology: 'e-ink' };
      break;
    case 3:
      devices['mic'] = { driver: 'audio-in', rate: 16000 };
      break;
    default:
      devices['meter'] = { driver: 'serial', port: 'serial0', baud: 9600 };
  }
  return devices;
}
