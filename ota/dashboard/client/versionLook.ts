import type { DashboardBoard } from '../DashboardApi.js';
import type { Tone } from './healthLook.js';

/** Where a board stands against the latest build: what the tiles say when coloured by version. */
export type VersionStanding = 'latest' | 'behind' | 'unknown';

/** How each standing looks; a tile also says its version in words. */
export const versionLook: readonly { readonly standing: VersionStanding; readonly tone: Tone; readonly label: string }[] = [
  { standing: 'latest', tone: 'ok', label: "runs the latest build's image" },
  { standing: 'behind', tone: 'warn', label: 'runs an older image: a rollout would update it' },
  { standing: 'unknown', tone: 'muted', label: 'has not said what it runs (never connected)' },
];

/** A board's standing: its image against the one the latest build gives it. */
export function versionStanding(board: Pick<DashboardBoard, 'image' | 'latest'>): VersionStanding {
  if (board.image === '') return 'unknown';
  return board.latest.current ? 'latest' : 'behind';
}

export function versionTone(standing: VersionStanding): Tone {
  return versionLook.find((look) => look.standing === standing)?.tone ?? 'muted';
}
