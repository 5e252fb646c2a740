import type { BoardHealth } from '../DashboardApi.js';

/** The colour family of a state on screen; style.css gives each a colour with enough contrast. */
export type Tone = 'ok' | 'info' | 'warn' | 'muted' | 'bad';

/**
 * How each board health looks, worst first (the legend's order). A tile always says its health
 * in words as well: colour alone would leave out people who cannot tell the colours apart.
 */
export const healthLook: readonly { readonly health: BoardHealth; readonly tone: Tone; readonly label: string }[] = [
  { health: 'reverted', tone: 'bad', label: 'reverted to its previous image' },
  { health: 'failed', tone: 'bad', label: 'update failed' },
  { health: 'stopped', tone: 'bad', label: 'unikernel stopped' },
  { health: 'offline', tone: 'muted', label: 'offline' },
  { health: 'trial', tone: 'info', label: 'on trial: new image not yet confirmed' },
  { health: 'updating', tone: 'warn', label: 'updating' },
  { health: 'healthy', tone: 'ok', label: 'healthy' },
];

/** The tone of a board health; an unknown one (a newer gateway) is muted rather than hidden. */
export function healthTone(health: string): Tone {
  return healthLook.find((look) => look.health === health)?.tone ?? 'muted';
}
