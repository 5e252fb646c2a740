import { formatMaxFailures } from '../rollout/failureLimit.js';
import { rolloutSummary } from '../rollout/rolloutSummary.js';
import type { WaveSize } from '../rollout/RolloutSpec.js';
import type { BoardRollout, RolloutState } from '../rollout/RolloutState.js';
import type { DashboardRollouts, DashboardWave } from './DashboardApi.js';

const finished: readonly string[] = ['unchanged', 'committed', 'failed', 'reverted'];

/** The rollout in progress wave by wave, and the ones before it from the journal (`archive`, newest first). */
export function dashboardRollouts(current: RolloutState | undefined, archive: readonly RolloutState[]): DashboardRollouts {
  const past = archive
    .filter((state) => state.spec.id !== current?.spec.id)
    .map((state) => ({ rollout: state.spec.id, build: state.spec.build, status: state.status, startedAt: state.spec.startedAt, reason: state.reason }));
  if (current === undefined) return { current: null, past };
  const summary = rolloutSummary(current);
  const waves: DashboardWave[] = [];
  for (let wave = 1; wave <= current.spec.waves.length + 1; wave++) {
    const boards = current.boards.filter((board) => board.wave === wave);
    // The catch-up after the last wave (boards that came back late) shows only when it has any.
    if (wave > current.spec.waves.length && boards.length === 0) continue;
    const done = boards.filter((board) => finished.includes(board.state)).length;
    waves.push({ wave, boards, done, percent: percent(done, boards.length) });
  }
  const waiting: BoardRollout[] = current.boards.filter((board) => board.wave === null && board.state !== 'unchanged');
  return {
    current: {
      ...summary,
      waves,
      waiting,
      percent: percent(summary.done, summary.total),
      spec: { waves: current.spec.waves.map(formatWave), maxFailures: formatMaxFailures(current.spec.maxFailures), healthTimeoutMs: current.spec.healthTimeoutMs, startedAt: current.spec.startedAt },
    },
    past,
  };
}

function formatWave(size: WaveSize): string {
  return 'count' in size ? String(size.count) : `${size.percent}%`;
}

/** Whole percent, rounded down, so 100% means every board is done. */
function percent(done: number, of: number): number {
  return of === 0 ? 100 : Math.floor((done * 100) / of);
}
