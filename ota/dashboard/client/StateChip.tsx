import type { Tone } from './healthLook.js';

const boardStateTones: Readonly<Record<string, Tone>> = {
  pending: 'muted',
  unchanged: 'ok',
  deferred: 'muted',
  offered: 'warn',
  downloading: 'warn',
  downloaded: 'warn',
  installed: 'info',
  healthy: 'info',
  committed: 'ok',
  failed: 'bad',
  reverted: 'bad',
};

/** A board's state within a rollout (ota/rollout/rolloutBoardTable.ts), as a small labelled chip. */
export function StateChip({ state }: { readonly state: string }) {
  return <span class={`chip tone-${boardStateTones[state] ?? 'muted'}`}>{state}</span>;
}
