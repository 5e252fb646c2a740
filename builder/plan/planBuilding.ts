import { grantableCapabilities, type GrantableCapability } from '../../lib/capabilities.js';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { driverSpecsByName } from '../../drivers/driverSpecs.js';
import type { AppInput } from '../model/buildingSchema.js';
import type { BoardNode, DeviceNode } from '../model/indexBuilding.js';
import { bindNeed, placeApp, type Placement } from '../model/placeApp.js';
import type { Building } from '../validate/validateBuilding.js';
import {
  buildPlanVersion,
  type BuildPlan,
  type PlannedApp,
  type PlannedBinding,
  type PlannedBoard,
  type PlannedCircuit,
  type PlannedDevice,
  type PlannedFragment,
} from './BuildPlan.js';
import { circuitAddress } from './circuitAddress.js';
import { circuitBandwidth } from './circuitBandwidth.js';
import { circuitShape } from './circuitShape.js';
import type { DownBoard, PlanSchedule } from './PlanSchedule.js';
import { chooseStandIns, type StandIns } from './standIns.js';
import { grantCapabilities } from './grantCapabilities.js';
import { runningBoard } from './runningBoard.js';
import { selectorMatcher } from './selectorMatcher.js';
import { spacePath } from './spacePath.js';

/**
 * Plans a validated building: every app placed as its `place` says, one fragment per
 * placement, each need bound to one device, each fragment put on a board (see
 * runningBoard), granted what the policy rules that apply to it allow (see
 * grantCapabilities), and a circuit for every need bound to a device on another board.
 *
 * Pure and deterministic: the same building gives the same plan, byte for byte once
 * serialised. Lists follow building.yaml's lists (spaces, boards, apps, needs, rules);
 * mappings (devices, settings) are sorted, so reordering keys in building.yaml changes
 * nothing. A policy rule applies to a fragment when its `app` is the app's name or `*` and its
 * `where`, if any, selects the board the fragment runs on (see selectorMatcher).
 *
 * A board that one app's `place` selects twice (a board and its space both named alongside
 * `has`, or nested spaces) runs one instance of the app, the first placement's.
 *
 * Spares (`spare: true`) run nothing and bind nothing. `options.down` (the schedule's down
 * set, docs/scheduler.md) takes boards out of service: what ran on one runs on the spare
 * standing in for it (see chooseStandIns), with the grants it had on the board it left, and
 * needs bound to its devices bind the spare's devices of the same alias; a fragment with no
 * spare to go to is left unplaced, not refused. `schedule` in the plan says what moved.
 *
 * Throws an OsmoseError when the building has a problem validation should have refused (such
 * as an instance placed in a space with no board, `place.no-board`).
 */
export function planBuilding(building: Building, options: PlanOptions = {}): BuildPlan {
  const { index, policies, spec } = building;
  const order = new Map<BoardNode, number>(index.boards.map((board, i) => [board, i]));
  const ids = new Set(index.boards.map((board) => board.id));
  const down = (options.down ?? []).filter((entry) => ids.has(entry.board));
  const context: PlanContext = {
    building,
    order,
    matchers: policies.rules.map((rule) => (rule.where === undefined ? undefined : selectorMatcher(rule.where, index))),
    standIns: chooseStandIns(index, spec.apps ?? [], new Set(down.map((entry) => entry.board)), order),
  };

  const apps: PlannedApp[] = [];
  const fragments: PlannedFragment[] = [];
  const circuits: PlannedCircuit[] = [];
  const moves: Moves = { moved: [], rebound: [], unplaced: [], stranded: [] };
  for (const app of spec.apps ?? []) {
    const instances: string[] = [];
    const seen = new Set<string>();
    for (const placement of placeApp(app.place, index)) {
      const instance = `${app.name}@${(placement.host ?? placement.scope).id}`;
      if (seen.has(instance)) continue;
      seen.add(instance);
      const planned = planFragment(context, app, placement, instance, moves);
      if (planned === undefined) continue;
      fragments.push(planned.fragment);
      circuits.push(...planned.circuits);
      instances.push(instance);
    }
    apps.push({ name: app.name, source: app.source, needs: [...(app.needs ?? [])], instances });
  }

  const runs = groupBy(fragments, (fragment) => [fragment.board], (fragment) => fragment.instance);
  const ends = groupBy(circuits, (circuit) => [circuit.app.board, circuit.device.board], (circuit) => circuit.id);
  const boards = index.boards.map((board, position): PlannedBoard => ({
    id: board.id,
    type: board.type,
    space: spacePath(board.space),
    place: { kind: board.space.kind, name: board.space.name },
    devices: Object.fromEntries(
      [...board.devices].sort((a, b) => compare(a.alias, b.alias)).map((device): [string, PlannedDevice] => [device.alias, plannedDevice(device)]),
    ),
    fragments: runs.get(board.id) ?? [],
    circuits: ends.get(board.id) ?? [],
    address: board.address ?? circuitAddress(board, position),
  }));

  return {
    version: buildPlanVersion,
    building: { id: spec.building.id, name: spec.building.name, ...(spec.building.timezone === undefined ? {} : { timezone: spec.building.timezone }) },
    // The type allows undefined (Required<> keeps an optional's explicit undefined); validation fills it in.
    policies: { file: building.policiesFile, default: policies.default },
    apps,
    boards,
    fragments,
    circuits,
    schedule: planSchedule(index, down, context.standIns, moves),
  };
}

/** What the planner is told besides the building. */
export interface PlanOptions {
  /** Boards out of service (the schedule's `down.json`); none by default. */
  readonly down?: readonly DownBoard[];
}

type Moves = { -readonly [K in 'moved' | 'rebound' | 'unplaced' | 'stranded']: PlanSchedule[K][number][] };

function planSchedule(index: Building['index'], down: readonly DownBoard[], standIns: StandIns, moves: Moves): PlanSchedule {
  const position = new Map(index.boards.map((board, i) => [board.id, i]));
  return {
    spares: index.boards.filter((board) => board.spare).map((board) => board.id),
    down: [...down].sort((a, b) => (position.get(a.board) ?? 0) - (position.get(b.board) ?? 0)),
    standIns: [...standIns.byBoard].map(([board, { aliases, spare }]) => ({ board: board.id, aliases, spare: spare?.id ?? null })),
    ...moves,
  };
}

interface PlanContext {
  readonly building: Building;
  /** Each board's position in building.yaml. */
  readonly order: ReadonlyMap<BoardNode, number>;
  /** Per policy rule, whether its `where` selects a board; undefined when it has none. */
  readonly matchers: readonly (((board: BoardNode) => boolean) | undefined)[];
  readonly standIns: StandIns;
}

/**
 * One instance: its board, bindings, grants, and a circuit per need bound on another board;
 * undefined when its board is out of service with no spare to take it (noted in `moves`).
 */
function planFragment(
  context: PlanContext,
  app: AppInput,
  placement: Placement,
  instance: string,
  moves: Moves,
): { fragment: PlannedFragment; circuits: PlannedCircuit[] } | undefined {
  const { policies } = context.building;
  const needs = [...new Set(app.needs ?? [])];
  const planned = needs.map((alias) => boundDevice(alias, placement, instance));
  const runner = runningBoard(placement, planned, context.order);
  if (runner === undefined) {
    throw new OsmoseError('plan.no-board', `app "${app.name}" is placed in ${placement.scope.id}, which holds no board; validation should have refused it`, {
      data: { app: app.name, space: placement.scope.id },
    });
  }
  // Where it would run were every board up: its policy is read there, the spare standing in.
  const home = runner.board;
  const { out, byBoard } = context.standIns;
  let { board, runsOn } = runner;
  if (out.has(home)) {
    const spare = byBoard.get(home)?.spare ?? null;
    if (spare === null) {
      const aliases = byBoard.get(home)?.aliases ?? [];
      const wanted = aliases.length === 0 ? '' : ` with ${aliases.join(', ')}`;
      moves.unplaced.push({ instance, app: app.name, board: home.id, reason: `${home.id} is down and ${home.space.id} has no free spare${wanted}` });
      return undefined;
    }
    board = spare;
    runsOn = 'spare';
    moves.moved.push({ instance, from: home.id, to: spare.id });
  }
  const devices = needs.map((alias, n): DeviceNode => {
    const device = planned[n] as DeviceNode;
    if (!out.has(device.board)) return device;
    const spare = byBoard.get(device.board)?.spare ?? null;
    const replacement = spare?.devices.find((candidate) => candidate.alias === device.alias);
    if (spare === null || replacement === undefined) {
      moves.stranded.push({ instance, need: alias, board: device.board.id, device: device.alias });
      return device;
    }
    moves.rebound.push({ instance, need: alias, from: device.board.id, to: spare.id });
    return replacement;
  });

  const bindings: Record<string, PlannedBinding> = {};
  const circuits: PlannedCircuit[] = [];
  const requires = new Set<GrantableCapability>();
  needs.forEach((alias, n) => {
    const device = devices[n] as DeviceNode;
    const capability = driverSpecsByName.get(device.driver)?.capability;
    if (capability !== undefined) requires.add(capability);
    const end = { board: device.board.id, device: device.alias, driver: device.driver };
    if (device.board === board) {
      bindings[alias] = { ...end, local: true };
      return;
    }
    const id = `${instance}/${alias}`;
    requires.add('channel');
    bindings[alias] = { ...end, local: false, circuit: id };
    circuits.push({ id, ...circuitShape(device.driver), bandwidth: circuitBandwidth(device.driver, device.settings), app: { board: board.id, instance, need: alias }, device: end });
  });

  const rules = policies.rules.flatMap((rule, r) =>
    (rule.app === app.name || rule.app === '*') && (context.matchers[r]?.(home) ?? true) ? [r] : [],
  );
  const granted = grantCapabilities(policies, rules);
  const required = grantableCapabilities.filter((capability) => requires.has(capability));
  const fragment: PlannedFragment = {
    instance,
    app: app.name,
    board: board.id,
    runsOn,
    scope: spacePath(placement.scope),
    bindings,
    grants: granted.grants,
    rules,
    requires: required,
    ungranted: required.filter((capability) => granted.grants[capability] === undefined),
    retain: granted.retain,
    disclose: granted.disclose,
  };
  return { fragment, circuits };
}

function boundDevice(alias: string, placement: Placement, instance: string): DeviceNode {
  const binding = bindNeed(alias, placement);
  if (binding.kind === 'bound') return binding.device;
  // Validation refuses unbound and ambiguous needs (needs.unbound, needs.ambiguous).
  throw new OsmoseError('plan.unbound-need', `${instance} needs "${alias}", which is ${binding.kind} in ${placement.scope.id}; validation should have refused this`, {
    data: { instance, alias, binding: binding.kind },
  });
}

/** `id(item)` of each item under each of its keys, in the items' order. */
function groupBy<T>(items: readonly T[], keys: (item: T) => readonly string[], id: (item: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const item of items) {
    for (const key of keys(item)) {
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [id(item)]);
      else group.push(id(item));
    }
  }
  return groups;
}

function plannedDevice(device: DeviceNode): PlannedDevice {
  const settings = Object.entries(device.settings)
    .filter(([key]) => key !== 'driver')
    .sort(([a], [b]) => compare(a, b));
  return { driver: device.driver, settings: Object.fromEntries(settings) };
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
