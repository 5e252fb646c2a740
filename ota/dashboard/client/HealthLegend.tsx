import type { Colouring } from './ColourBy.js';
import { healthLook } from './healthLook.js';
import { versionLook } from './versionLook.js';

/** What the tiles' colours mean, for the colouring chosen; each tile says it in words as well. */
export function HealthLegend({ by }: { readonly by: Colouring }) {
  const entries =
    by === 'health'
      ? healthLook.map((look) => ({ key: look.health, tone: look.tone, name: look.health, label: look.label }))
      : versionLook.map((look) => ({ key: look.standing, tone: look.tone, name: look.standing, label: look.label }));
  return (
    <div class="legend">
      <h2 class="visually-hidden">Legend</h2>
      <ul class="legend-list">
        {entries.map((entry) => (
          <li key={entry.key} class={`legend-item tone-${entry.tone}`}>
            <span class="dot" aria-hidden="true" /> <strong>{entry.name}</strong> <span class="muted">{entry.label}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
