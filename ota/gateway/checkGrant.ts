import type { BuildPlan, PlannedBoard, PlannedFragment } from '../../builder/plan/BuildPlan.js';
import type { Capability } from '../../lib/capabilities.js';

/** The build a grant is read from: the gateway's own copy of the latest build (BuildFiles). */
export interface GrantSource {
  readonly commit: string;
  readonly plan: BuildPlan;
}

export type GrantCheck =
  | { readonly ok: true; readonly fragment: PlannedFragment; /** The innermost space that holds the board. */ readonly space: string }
  | { readonly ok: false; readonly reason: 'no-board' | 'no-fragment' | 'not-on-board' | 'not-granted'; readonly message: string; readonly hint: string };

interface PlanIndex {
  readonly boards: ReadonlyMap<string, PlannedBoard>;
  readonly fragments: ReadonlyMap<string, PlannedFragment>;
}

/** Boards and fragments by id, per plan: a plan is read once per build and asked at every call and every presence push. */
const indexes = new WeakMap<BuildPlan, PlanIndex>();

function indexOf(plan: BuildPlan): PlanIndex {
  let index = indexes.get(plan);
  if (index === undefined) {
    index = { boards: new Map(plan.boards.map((entry) => [entry.id, entry])), fragments: new Map(plan.fragments.map((entry) => [entry.instance, entry])) };
    indexes.set(plan, index);
  }
  return index;
}

/**
 * Whether the build grants `capability` to `fragment` running on `board`, from the build's
 * plan alone — never from what the board says. A fragment the build places on another board
 * is refused as firmly as one the policy does not grant: a board asks only for its own.
 */
export function checkGrant(build: GrantSource, board: string, fragment: string, capability: Capability): GrantCheck {
  const plan = build.plan;
  const at = `build ${build.commit.slice(0, 12)}`;
  const index = indexOf(plan);
  const planned = index.boards.get(board);
  if (planned === undefined) return { ok: false, reason: 'no-board', message: `${board} is not a board of ${at}, so none of its fragments has ${capability}`, hint: 'image the board from the latest build (osmose image)' };
  const found = index.fragments.get(fragment);
  if (found === undefined) {
    return { ok: false, reason: 'no-fragment', message: `${board} asked for ${capability} for fragment ${fragment}, which ${at} does not have`, hint: `ask for one of the board's own fragments, as configs/${board}.json of the latest build lists them` };
  }
  if (found.board !== board) {
    return { ok: false, reason: 'not-on-board', message: `${board} asked for ${capability} for fragment ${fragment}, which runs on ${found.board}, not on ${board}`, hint: `a board gets capabilities only for its own fragments (configs/${board}.json)` };
  }
  if (found.grants[capability] === undefined) {
    return {
      ok: false,
      reason: 'not-granted',
      message: `${at} does not grant ${capability} to ${fragment} on ${board}`,
      hint: `grant it in ${plan.policies.file} (a rule for app ${found.app} that allows ${capability}), then osmose build and osmose rollout`,
    };
  }
  return { ok: true, fragment: found, space: planned.space.at(-1) ?? '' };
}
