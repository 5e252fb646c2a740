import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import type { GatewayStatus } from '../gateway/gatewayStatus.js';
import { gatewayRequest } from '../gateway/gatewayRequest.js';
import { readSchedule } from '../../builder/plan/schedule/readSchedule.js';
import { renderRolloutLine } from '../rollout/renderRolloutLine.js';
import { describeReschedule } from '../scheduler/describeReschedule.js';
import { readReschedules } from '../scheduler/readReschedules.js';

/**
 * `osmose status [--json]`: every board's version, slot and health, as the running gateway sees
 * them; and, from refs/osmose/schedule, the boards out of service and the last reschedules with
 * the time each took from failure detected to service restored.
 */
export function registerStatusCommand(program: Command, cli: CliContext): void {
  program
    .command('status')
    .description("every board's image, version, slot and health as the running gateway sees them, and the rollout in progress")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const status = await gatewayRequest<GatewayStatus>(root, 'GET', '/status');
      const { down } = await readSchedule(root);
      const reschedules = (await readReschedules(root)).slice(-recentReschedules);
      if (options.json === true) return printJson(cli, { ...status, schedule: { down, reschedules } });
      const online = status.boards.filter((board) => board.online).length;
      cli.stdout(`gateway ${status.gateway.host}:${status.gateway.port}, latest build ${status.gateway.build.slice(0, 12)}; ${online} of ${status.boards.length} boards online\n`);
      if (status.rollout !== null) cli.stdout(`rollout ${renderRolloutLine(status.rollout)}\n`);
      const rows = status.boards.map((board) => [
        board.board,
        board.online ? 'online' : 'offline',
        board.image === '' ? '-' : board.image.slice(0, 12),
        board.version === 0 ? '-' : String(board.version),
        board.slot === '' ? '-' : board.slot,
        board.image === '' ? '-' : board.confirmed ? 'confirmed' : board.agentState === 'healthy' ? 'healthy, awaiting commit' : 'on trial',
        board.agentState === '' ? '-' : board.agentState,
        !board.online ? '-' : board.running ? `running${board.stops > 0 ? `, ${board.stops} stops` : ''}` : 'stopped',
        board.lastHeartbeat ?? '-',
      ]);
      cli.stdout(table(['board', 'link', 'image', 'version', 'slot', 'slot state', 'agent', 'unikernel', 'last heartbeat'], rows));
      for (const entry of down) cli.stdout(`out of service: ${entry.board} ${entry.returned === null ? `down since ${entry.since}` : `back since ${entry.returned}, fragments still on a spare`} (${entry.why})\n`);
      if (reschedules.length > 0) cli.stdout(`last reschedules:\n${reschedules.map((record) => `  ${describeReschedule(record)}\n`).join('')}`);
    });
}

/** How many reschedules `osmose status` shows: the latest few; `osmose schedule` lists them all. */
const recentReschedules = 5;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => `${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`;
  return [line(head), ...rows.map(line)].join('');
}
