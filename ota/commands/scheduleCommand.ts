import type { Command } from 'commander';
import { readJson } from '../../builder/ledger/ledgerHistory.js';
import { ledgerHead } from '../../builder/ledger/ledgerHead.js';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import type { DownBoard } from '../../builder/plan/PlanSchedule.js';
import { readSchedule } from '../../builder/plan/schedule/readSchedule.js';
import { scheduleRef } from '../../builder/plan/schedule/scheduleLayout.js';
import { updateSchedule } from '../../builder/plan/schedule/updateSchedule.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { didYouMeanSuffix } from '../../lib/didYouMean.js';
import { InputError } from '../../lib/OsmoseError.js';
import { readReschedules } from '../scheduler/readReschedules.js';
import { describeReschedule } from '../scheduler/describeReschedule.js';

/**
 * `osmose schedule`: the boards out of service and the gateway's reschedules, from
 * refs/osmose/schedule; `down BOARD` takes a board out of service by hand (maintenance), and
 * `restore BOARD` puts one back, which is how fragments that moved to a spare go back to their
 * board: the scheduler never moves them back by itself. Both only write the schedule; the next
 * `osmose build` plans with it, and `osmose rollout` takes it to the boards.
 */
export function registerScheduleCommand(program: Command, cli: CliContext): void {
  const schedule = program
    .command('schedule')
    .description('the boards out of service (refs/osmose/schedule) and what moved to spares; the reschedules the gateway made and how long each took to restore service')
    .option('--json', 'print { down, reschedules } as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const { down } = await readSchedule(root);
      const reschedules = await readReschedules(root);
      if (options.json === true) return printJson(cli, { down, reschedules });
      if (down.length === 0) cli.stdout('every board is in service\n');
      for (const entry of down) cli.stdout(`${describeDown(entry)}\n`);
      if (reschedules.length > 0) cli.stdout(`reschedules (${scheduleRef}):\n`);
      for (const record of reschedules) cli.stdout(`  ${describeReschedule(record)}\n`);
    });
  schedule
    .command('down')
    .argument('<board>', 'a board of the latest build')
    .description('take a board out of service (for maintenance): the next build moves what it runs to a spare of its space')
    .option('--reason <text>', 'why, for the ledger', 'taken down by the operator')
    .action(async (board: string, options: { reason: string }) => {
      const root = findBuildingRoot(cli.cwd());
      await checkBoard(root, board);
      const reason = options.reason.trim();
      if (reason === '') throw new InputError('schedule.usage', 'the reason for taking a board down cannot be empty', { hint: 'leave --reason out, or say why', data: { board } });
      const at = new Date();
      const written = await updateSchedule(root, (current) =>
        current.down.some((entry) => entry.board === board && entry.returned === null)
          ? undefined
          : { down: [...current.down.filter((entry) => entry.board !== board), { board, since: at.toISOString(), why: reason, returned: null }], message: `${board} is down: ${reason}\n` },
      );
      cli.stdout(written.created ? `${board} is out of service; osmose build moves what it runs to a spare, osmose rollout takes it to the boards\n` : `${board} was out of service already\n`);
    });
  schedule
    .command('restore')
    .argument('<board>', 'a board out of service')
    .description('put a board back in service: the next build moves its fragments back to it from the spare that took them')
    .action(async (board: string) => {
      const root = findBuildingRoot(cli.cwd());
      const written = await updateSchedule(root, (current) => {
        const entry = current.down.find((candidate) => candidate.board === board);
        if (entry === undefined) {
          throw new InputError('schedule.not-down', `${board} is not out of service.${didYouMeanSuffix(board, current.down.map((candidate) => candidate.board))}`, {
            hint: current.down.length === 0 ? 'every board is in service' : `out of service: ${current.down.map((candidate) => candidate.board).join(', ')}`,
            data: { board },
          });
        }
        return { down: current.down.filter((candidate) => candidate !== entry), message: `${board} is back in service: what moved off it moves back\n` };
      });
      cli.stdout(`${board} is back in service${written.created ? '' : ' (unchanged)'}; osmose build moves its fragments back, osmose rollout takes them to the boards\n`);
    });
}

function describeDown(entry: DownBoard): string {
  return entry.returned === null ? `${entry.board}  down since ${entry.since}: ${entry.why}` : `${entry.board}  back since ${entry.returned}, its fragments still on a spare (osmose schedule restore ${entry.board}); down since ${entry.since}: ${entry.why}`;
}

/** A board of the latest build, or refused with the closest name. */
async function checkBoard(root: string, board: string): Promise<void> {
  const head = await ledgerHead(root);
  const plan = head === undefined ? undefined : await readJson<BuildPlan>(root, head, ledgerLayout.plan);
  if (plan === undefined) throw new InputError('schedule.no-build', 'the building has no build yet: there is no board to take down', { hint: 'run osmose build first', data: { board } });
  const boards = plan.boards.map((candidate) => candidate.id);
  if (!boards.includes(board)) {
    throw new InputError('schedule.unknown-board', `${board} is not a board of the latest build.${didYouMeanSuffix(board, boards)}`, { hint: 'osmose plan lists the boards', data: { board } });
  }
}
