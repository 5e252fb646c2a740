import type { BoardLink, GatewayFleet } from '../gateway/GatewayFleet.js';
import type { HealthSample } from './DashboardApi.js';

/** How many samples a board's history keeps: five minutes of one-second heartbeats. */
const keep = 300;

/**
 * Every board's recent health as the gateway heard it, kept in memory since the dashboard
 * started: each heartbeat, enrolment and end of session a sample, the oldest dropped past
 * `keep`. The board's page draws it; nothing of it is written anywhere.
 */
export class HealthHistory {
  readonly #samples = new Map<string, HealthSample[]>();
  readonly #stop: () => void;

  constructor(fleet: GatewayFleet) {
    this.#stop = fleet.watchBoards((link) => this.#add(link));
  }

  of(board: string): readonly HealthSample[] {
    return this.#samples.get(board) ?? [];
  }

  close(): void {
    this.#stop();
  }

  #add(link: BoardLink): void {
    const { record } = link;
    let samples = this.#samples.get(link.board);
    if (samples === undefined) {
      samples = [];
      this.#samples.set(link.board, samples);
    }
    samples.push({ at: link.at, online: link.kind !== 'gone', running: record.running, stops: record.stops, agentState: record.agentState, image: record.image, missed: record.missed });
    if (samples.length > keep) samples.splice(0, samples.length - keep);
  }
}
