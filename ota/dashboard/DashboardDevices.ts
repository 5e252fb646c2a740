import type { SimBuilding } from '../../image/sim/SimBuilding.js';
import type { DashboardDeviceState, DashboardDevicesView } from './DashboardApi.js';

/** What the dashboard shows of the boards' devices: the simulated building's, when the gateway runs beside one. */
export interface DashboardDevices {
  /** Every board's devices as they are now. */
  view(): DashboardDevicesView;
  /** What a display shows, as PNG. */
  png(board: string, device: string): Uint8Array;
}

/** The devices of `osmose sim`'s boards, read as the simulator's own control socket reads them. */
export function simDashboardDevices(building: SimBuilding): DashboardDevices {
  return {
    view: () => ({
      boards: building.summaries().map((summary) => ({
        board: summary.board,
        running: summary.running,
        devices: summary.devices.map(({ name }): DashboardDeviceState => {
          const state = building.get(summary.board, name);
          if ('level' in state) return { name, driver: state.driver, level: state.level };
          if ('refreshes' in state) return { name, driver: 'display', width: state.width, height: state.height, refreshes: state.refreshes };
          return { name, driver: state.driver };
        }),
      })),
    }),
    png: (board, device) => building.png(board, device),
  };
}
