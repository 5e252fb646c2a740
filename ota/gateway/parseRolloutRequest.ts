import { InputError } from '../../lib/OsmoseError.js';
import { parseRolloutOptions, type RolloutOptionsText } from '../rollout/parseRolloutOptions.js';
import type { RolloutRequest } from './GatewayFleet.js';

/**
 * A rollout asked of the gateway over its control socket: the options as `osmose rollout` was
 * given them (text), checked here again since anyone who can open the socket can send one. The
 * gateway adds the building's time zone itself.
 */
export function parseRolloutRequest(body: Readonly<Record<string, unknown>>): RolloutRequest {
  const text = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InputError('gateway.bad-body', `the rollout request's ${key} is not text`, { data: { key } });
    return value;
  };
  const window = body['window'] ?? [];
  if (!Array.isArray(window) || !window.every((entry) => typeof entry === 'string')) throw new InputError('gateway.bad-body', "the rollout request's window is not a list of text", { data: { key: 'window' } });
  const waves = text('waves');
  const maxFailures = text('maxFailures');
  const healthTimeout = text('healthTimeout');
  const options: RolloutOptionsText = {
    ...(waves === undefined ? {} : { waves }),
    ...(maxFailures === undefined ? {} : { maxFailures }),
    ...(healthTimeout === undefined ? {} : { healthTimeout }),
    window: window,
  };
  const parsed = parseRolloutOptions(options);
  return { waves: parsed.waves, maxFailures: parsed.maxFailures, windows: parsed.windows, healthTimeoutMs: parsed.healthTimeoutMs };
}
