import { ledgerHistory, readJson } from '../../builder/ledger/ledgerHistory.js';
import { repositoryLayout } from '../../builder/trust/trustLayout.js';
import type { BoardRecord } from '../gateway/BoardRecord.js';
import type { RolloutState } from '../rollout/RolloutState.js';
import type { DashboardBuild, DashboardLedger } from './DashboardApi.js';

/** How many builds the ledger view shows: the newest. */
const shown = 30;

interface TargetsEnvelope {
  readonly signed: { readonly version: number };
  readonly signatures: readonly { readonly keyid: string }[];
}

/**
 * The ledger as provenance, newest build first: the source commit each build was made from,
 * the build itself (toolchain, boards changed), who signed its targets metadata, the rollouts
 * that deployed it and what each did, and the boards running it now. A board's image counts
 * for the newest build that holds it, the one it was last deployed from.
 */
export async function dashboardLedger(root: string, rollouts: readonly RolloutState[], boards: readonly BoardRecord[]): Promise<DashboardLedger> {
  const history = await ledgerHistory(root, shown);
  const unplaced = new Map(boards.filter((board) => board.image !== '').map((board) => [board.board, board.image]));
  const builds: DashboardBuild[] = [];
  for (const entry of history) {
    const record = entry.record;
    const targets = await readJson<TargetsEnvelope>(root, entry.commit, repositoryLayout.targets);
    const running: string[] = [];
    for (const image of record?.images ?? []) {
      if (unplaced.get(image.board) === image.image) {
        running.push(image.board);
        unplaced.delete(image.board);
      }
    }
    builds.push({
      commit: entry.commit,
      time: entry.time,
      message: entry.message.trim(),
      source: record?.source ?? null,
      toolchain: record?.toolchain ?? null,
      boards: record?.boards ?? 0,
      changed: record?.changed ?? [],
      signature: targets === undefined ? null : { keyids: targets.signatures.map((signature) => signature.keyid), version: targets.signed.version },
      deployments: rollouts
        .filter((state) => state.spec.build === entry.commit)
        .map((state) => ({
          rollout: state.spec.id,
          status: state.status,
          startedAt: state.spec.startedAt,
          committed: state.boards.filter((board) => board.state === 'committed').map((board) => board.board),
          reverted: state.boards.filter((board) => board.state === 'reverted').map((board) => board.board),
          failed: state.boards.filter((board) => board.state === 'failed').map((board) => board.board),
        })),
      running: running.sort(),
    });
  }
  return { builds };
}
