import type { RolloutSummary } from '../rollout/rolloutSummary.js';
import { rolloutSummary } from '../rollout/rolloutSummary.js';
import type { Gateway, GatewayCounters } from './Gateway.js';
import type { BoardRecord } from './GatewayFleet.js';

/** What a running gateway says of itself and every board: `GET /status` on its control socket, `osmose status --json`, and the dashboard. */
export interface GatewayStatus {
  readonly gateway: { readonly host: string; readonly port: number; readonly build: string; readonly counters: GatewayCounters };
  readonly rollout: RolloutSummary | null;
  readonly boards: readonly BoardRecord[];
}

/** One reading of the gateway's status, so the operator's tools cannot disagree on a board's version. */
export function gatewayStatus(gateway: Gateway): GatewayStatus {
  const state = gateway.fleet.rollout;
  return {
    gateway: { ...gateway.address(), build: gateway.fleet.build.commit, counters: gateway.counters },
    rollout: state === undefined ? null : rolloutSummary(state),
    boards: gateway.fleet.boards(),
  };
}
