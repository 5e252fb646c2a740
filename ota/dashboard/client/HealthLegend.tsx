import { healthLook } from './healthLook.js';

/** What the tiles' colours mean; each tile says its health in words as well. */
export function HealthLegend() {
  return (
    <div class="legend">
      <h2 class="visually-hidden">Legend</h2>
      <ul class="legend-list">
        {healthLook.map((look) => (
          <li key={look.health} class={`legend-item tone-${look.tone}`}>
            <span class="dot" aria-hidden="true" /> <strong>{look.health}</strong> <span class="muted">{look.label}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
