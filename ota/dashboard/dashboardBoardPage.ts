import { showBoard } from '../../builder/ledger/showBoard.js';
import { InputError } from '../../lib/OsmoseError.js';
import { didYouMeanSuffix } from '../../lib/didYouMean.js';
import type { Gateway } from '../gateway/Gateway.js';
import type { DashboardBoardPage } from './DashboardApi.js';
import { dashboardOverview } from './dashboardOverview.js';
import type { HealthHistory } from './HealthHistory.js';
import type { RolloutArchive } from './RolloutArchive.js';

/** One board's page: what it runs and where that came from (the ledger), its slots, its recent health and its last roll-back. */
export async function dashboardBoardPage(gateway: Gateway, board: string, history: HealthHistory, archive: RolloutArchive, root: string): Promise<DashboardBoardPage> {
  const overview = dashboardOverview(gateway, false);
  const found = overview.boards.find((candidate) => candidate.board === board);
  if (found === undefined) {
    throw new InputError('dashboard.unknown-board', `the building has no board ${JSON.stringify(board)}${didYouMeanSuffix(board, overview.boards.map((candidate) => candidate.board))}`, {
      hint: 'the building view lists every board',
      data: { board },
    });
  }
  const planned = gateway.fleet.build.plan.boards.find((candidate) => candidate.id === board);
  let ledger: DashboardBoardPage['ledger'] = null;
  try {
    const shown = await showBoard(root, board);
    const { manifest } = shown;
    ledger = {
      build: shown.at,
      since: shown.since,
      image: manifest.image,
      type: manifest.type,
      source: manifest.source,
      toolchain: manifest.toolchain,
      signedBy: shown.signedBy,
      modules: manifest.modules.map((module) => ({ app: module.app, wasm: module.wasm, bytes: module.bytes })),
    };
  } catch (error) {
    // A board of the gateway's build that a newer build dropped: the page shows what the gateway knows.
    if (!(error instanceof InputError && error.code === 'ledger.unknown-board')) throw error;
  }
  const current = gateway.fleet.rollout?.boards.find((entry) => entry.board === board) ?? null;
  return {
    board: found,
    ledger,
    slots: { active: found.slot, confirmed: found.confirmed, agentState: found.agentState },
    history: history.of(board),
    // The gateway's own rollout is ahead of its journal by a batch at most: it answers first.
    lastRevert:
      current !== null && (current.state === 'reverted' || current.state === 'failed')
        ? { rollout: gateway.fleet.rollout?.spec.id ?? '', at: current.since, reason: current.reason ?? `${current.state} without a reason given`, state: current.state }
        : await archive.lastRevert(board),
    rollout: current,
    devices: Object.entries(planned?.devices ?? {}).map(([name, device]) => ({ name, driver: device.driver })),
    fragments: planned?.fragments ?? [],
  };
}
