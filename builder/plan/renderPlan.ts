import type { BuildPlan, GrantReason, PlannedCircuit, PlannedFragment } from './BuildPlan.js';

/**
 * The plan as text, board by board in building.yaml's order: where the board is, its
 * devices, the fragments it runs with their bindings and grants, and the circuits it ends.
 * Spares and boards out of service say so, and what could not be moved is listed at the end.
 */
export function renderPlan(plan: BuildPlan): string {
  const fragments = new Map(plan.fragments.map((fragment) => [fragment.instance, fragment]));
  const circuits = new Map(plan.circuits.map((circuit) => [circuit.id, circuit]));
  const rulePrefix = plan.policies.file === 'building.yaml' ? 'policies.rules' : 'rules';
  const schedule = plan.schedule;
  const out = [
    `${plan.building.id}  ${plan.building.name}: ${count(plan.boards.length, 'board')}, ${count(plan.fragments.length, 'fragment')}, ${count(plan.circuits.length, 'circuit')}`,
    `policies from ${plan.policies.file}, default ${plan.policies.default}`,
  ];
  if (schedule.down.length > 0) out.push(`out of service (refs/osmose/schedule): ${schedule.down.map((entry) => entry.board).join(', ')}`);
  for (const board of plan.boards) {
    out.push('', `[${board.id}]  ${board.type}  in ${board.space.join('/')}${schedule.spares.includes(board.id) ? '  spare' : ''}`);
    const down = schedule.down.find((entry) => entry.board === board.id);
    if (down !== undefined) {
      out.push(down.returned === null ? `  down since ${down.since}: ${down.why}` : `  back since ${down.returned}, still out of service (down since ${down.since}: ${down.why})`);
    }
    const standsFor = schedule.standIns.filter((entry) => entry.spare === board.id).map((entry) => entry.board);
    if (standsFor.length > 0) out.push(`  stands in for ${standsFor.join(', ')}`);
    const devices = Object.entries(board.devices).map(([alias, device]) => `${alias} (${device.driver})`);
    out.push(`  devices: ${devices.length === 0 ? 'none' : devices.join(', ')}`);
    if (board.fragments.length === 0) out.push('  runs nothing');
    for (const instance of board.fragments) {
      const fragment = fragments.get(instance);
      if (fragment !== undefined) out.push(...describeFragment(fragment, rulePrefix, schedule.moved.find((move) => move.instance === instance)?.from));
    }
    if (board.circuits.length > 0) out.push('  circuits:');
    for (const id of board.circuits) {
      const circuit = circuits.get(id);
      if (circuit !== undefined) out.push(`    ${describeCircuit(circuit, board.id)}`);
    }
  }
  if (schedule.unplaced.length > 0 || schedule.stranded.length > 0) out.push('');
  for (const fragment of schedule.unplaced) out.push(`unplaced: ${fragment.instance} runs nowhere: ${fragment.reason}`);
  for (const need of schedule.stranded) out.push(`stranded: ${need.instance} still binds ${need.need} to ${need.device} on ${need.board}, which is out of service (no spare of its space has it)`);
  return `${out.join('\n')}\n`;
}

function describeFragment(fragment: PlannedFragment, rulePrefix: string, movedFrom: string | undefined): string[] {
  const why = { place: 'placed here', devices: 'holds most of its devices', 'first-board': 'first board of its space', spare: `moved here: ${movedFrom ?? 'its board'} is out of service` }[fragment.runsOn];
  const lines = [`  runs ${fragment.instance}  (${why})`];
  const needs = Object.entries(fragment.bindings);
  const width = Math.max(0, ...needs.map(([need]) => need.length));
  for (const [need, binding] of needs) {
    const where = binding.local ? `${binding.device} here` : `${binding.device} on ${binding.board} over circuit ${binding.circuit}`;
    lines.push(`    ${need.padEnd(width)} → ${where} (${binding.driver})`);
  }
  lines.push(`    grants ${describeGrants(fragment.grants, rulePrefix)}`);
  const kept: string[] = [];
  if (fragment.retain !== null) kept.push(`keeps data ${fragment.retain.duration} (${rulePrefix}[${fragment.retain.rule}])`);
  if (fragment.disclose !== null) kept.push(`discloses to ${fragment.disclose.to} (${rulePrefix}[${fragment.disclose.rule}])`);
  if (kept.length > 0) lines.push(`    ${kept.join(', ')}`);
  if (fragment.ungranted.length > 0) {
    lines.push(`    not granted: ${fragment.ungranted.join(', ')} (its bindings call for them; the build refuses the app if it imports one)`);
  }
  return lines;
}

/** Capabilities grouped by why they are granted, groups in the order they first appear. */
function describeGrants(grants: PlannedFragment['grants'], rulePrefix: string): string {
  const groups = new Map<string, string[]>();
  for (const [capability, reason] of Object.entries<GrantReason | undefined>(grants)) {
    if (reason === undefined) continue;
    const label = reason === 'always' ? '' : reason === 'default' ? ' (default)' : ` (${rulePrefix}[${reason.rule}])`;
    groups.set(label, [...(groups.get(label) ?? []), capability]);
  }
  return [...groups].map(([label, capabilities]) => `${capabilities.join(', ')}${label}`).join('; ');
}

/** One circuit seen from one of its ends, the arrow pointing the way data flows. */
function describeCircuit(circuit: PlannedCircuit, board: string): string {
  const appEnd = `${circuit.app.instance}`;
  const deviceEnd = `${circuit.device.device} (${circuit.device.driver})`;
  const toDevice = { 'from-app': '→', 'to-app': '←', both: '↔' }[circuit.direction];
  const toApp = { 'from-app': '←', 'to-app': '→', both: '↔' }[circuit.direction];
  const line = circuit.app.board === board
    ? `${appEnd} here ${toDevice} ${deviceEnd} on ${circuit.device.board}`
    : `${deviceEnd} here ${toApp} ${appEnd} on ${circuit.app.board}`;
  const reserved = circuit.bandwidth === null ? '' : `, ${bandwidthText(circuit.bandwidth)} reserved`;
  return `${circuit.id}  ${circuit.kind}, ${circuit.direction}${reserved}: ${line}`;
}

/** Bytes a second, in the unit that keeps the number short: `32 kB/s`, `11.1 MB/s`. */
function bandwidthText(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  if (bytesPerSecond >= 1e3) return `${Math.round(bytesPerSecond / 1e3)} kB/s`;
  return `${bytesPerSecond} B/s`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
