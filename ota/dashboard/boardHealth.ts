import type { BoardRecord } from '../gateway/BoardRecord.js';
import type { BoardRollout } from '../rollout/RolloutState.js';
import type { BoardHealth } from './DashboardApi.js';

const updating: readonly string[] = ['offered', 'downloading', 'downloaded', 'installed', 'healthy'];

/**
 * A board's colour on the dashboard and the words that say why, from what it last told the
 * gateway and its part in the latest rollout: a rollout's verdict (reverted, failed) first,
 * since it is what the operator must act on, then whether it runs at all, then its slot.
 */
export function boardHealth(record: BoardRecord, rollout: BoardRollout | undefined): { readonly health: BoardHealth; readonly healthText: string } {
  if (rollout?.state === 'reverted') return { health: 'reverted', healthText: `reverted: ${rollout.reason ?? 'no reason given'}` };
  if (rollout?.state === 'failed') return { health: 'failed', healthText: `update failed: ${rollout.reason ?? 'no reason given'}` };
  if (!record.online) return { health: 'offline', healthText: record.lastHeartbeat === null ? 'offline, never heard from' : `offline since ${record.lastHeartbeat}` };
  if (!record.running) return { health: 'stopped', healthText: `unikernel stopped${record.stops > 0 ? ` (${record.stops} stops)` : ''}` };
  if (rollout !== undefined && updating.includes(rollout.state)) return { health: 'updating', healthText: `updating: ${rollout.state}` };
  if (!record.confirmed) return { health: 'trial', healthText: `running, on trial (${record.agentState})` };
  return { health: 'healthy', healthText: `running, confirmed${record.stops > 0 ? `, ${record.stops} stops` : ''}` };
}
