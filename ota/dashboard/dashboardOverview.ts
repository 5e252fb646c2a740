import type { PlannedBoard } from '../../builder/plan/BuildPlan.js';
import type { Gateway } from '../gateway/Gateway.js';
import { gatewayStatus } from '../gateway/gatewayStatus.js';
import { boardHealth } from './boardHealth.js';
import type { DashboardBoard, DashboardOverview, DashboardSpace } from './DashboardApi.js';

/** The building at a glance: its spaces as a tree, every board with its colour, the rollout; as the gateway sees them now. */
export function dashboardOverview(gateway: Gateway, simulated: boolean): DashboardOverview {
  const status = gatewayStatus(gateway);
  const plan = gateway.fleet.build.plan;
  const targets = new Map(gateway.fleet.build.rolloutTargets().map((target) => [target.board, target]));
  const planned = new Map(plan.boards.map((board) => [board.id, board]));
  const inRollout = new Map((gateway.fleet.rollout?.boards ?? []).map((entry) => [entry.board, entry]));
  const boards: DashboardBoard[] = status.boards.map((record) => {
    const target = targets.get(record.board);
    return {
      ...record,
      space: planned.get(record.board)?.space ?? [],
      ...boardHealth(record, inRollout.get(record.board)),
      latest: { image: target?.image ?? '', version: target?.version ?? 0, current: target !== undefined && record.image === target.image },
    };
  });
  return { building: { id: plan.building.id, name: plan.building.name, spaces: spaceTree(plan.boards) }, gateway: status.gateway, rollout: status.rollout, boards, simulated, at: new Date().toISOString() };
}

interface SpaceDraft {
  id: string;
  name: string;
  kind: string;
  spaces: SpaceDraft[];
  boards: string[];
}

/**
 * The spaces that hold boards, nested as building.yaml nests them, in document order. The plan
 * names and kinds only the innermost space of each board; an outer space shows its id.
 */
export function spaceTree(boards: readonly PlannedBoard[]): DashboardSpace[] {
  const top: SpaceDraft[] = [];
  for (const board of boards) {
    let level = top;
    let space: SpaceDraft | undefined;
    board.space.forEach((id, depth) => {
      space = level.find((candidate) => candidate.id === id);
      if (space === undefined) {
        space = { id, name: id, kind: '', spaces: [], boards: [] };
        level.push(space);
      }
      if (depth === board.space.length - 1) {
        space.name = board.place.name;
        space.kind = board.place.kind;
      }
      level = space.spaces;
    });
    space?.boards.push(board.id);
  }
  return top;
}
