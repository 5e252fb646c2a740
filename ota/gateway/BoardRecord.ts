import type { GatewayEvent } from '../../kernel-js/net/gatewayTypes.js';

/** What the gateway knows of one board: what it said at enrolment and in its last heartbeat. */
export interface BoardRecord {
  readonly board: string;
  readonly type: string;
  readonly online: boolean;
  readonly image: string;
  readonly version: number;
  readonly slot: string;
  readonly confirmed: boolean;
  readonly agentState: string;
  readonly running: boolean;
  readonly stops: number;
  readonly busy: boolean;
  readonly lastHeartbeat: string | null;
  readonly heartbeats: number;
  /** Heartbeats that never arrived, by their sequence numbers. */
  readonly missed: number;
  readonly lastEvent: GatewayEvent | null;
}
