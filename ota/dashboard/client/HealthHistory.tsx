import type { HealthSample } from '../DashboardApi.js';
import { formatTime } from './formatTime.js';
import { historySummary } from './historySummary.js';

const stripSamples = 60;
const tableSamples = 20;

/**
 * A board's recent heartbeats: a sentence with the counts, a strip of marks for a glance (one per
 * heartbeat, oldest left), and the last few as a table for anyone who cannot see the strip.
 */
export function HealthHistory({ history }: { readonly history: readonly HealthSample[] }) {
  const summary = historySummary(history);
  const strip = summary.marks.slice(-stripSamples);
  const rows = summary.marks.slice(-tableSamples).reverse();
  return (
    <div class="history">
      <p>{summary.text}.</p>
      {strip.length > 0 && (
        <svg class="history-strip" viewBox={`0 0 ${strip.length * 6} 20`} width={strip.length * 6} height={20} role="img" aria-label={`Last ${strip.length} heartbeats: ${summary.text}`}>
          {strip.map((mark, index) => (
            <rect key={mark.at} class={`mark tone-${mark.tone}`} x={index * 6} y={0} width={4} height={20} rx={1}>
              <title>
                {formatTime(mark.at)}: {mark.text}
              </title>
            </rect>
          ))}
        </svg>
      )}
      {rows.length > 0 && (
        <details>
          <summary>The last {rows.length} heartbeats</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((mark) => (
                <tr key={mark.at}>
                  <td>{formatTime(mark.at)}</td>
                  <td>
                    <span class={`chip tone-${mark.tone}`}>{mark.text}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
