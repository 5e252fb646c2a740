import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { listRollouts } from '../rollout/listRollouts.js';
import { rolloutHistory } from '../rollout/rolloutHistory.js';

/**
 * `osmose ledger rollouts [ROLLOUT] [--board BOARD] [--all] [--json]`: the rollouts the journal
 * (refs/osmose/rollouts) holds and how each stands; with a rollout or a board, what happened
 * when — which image a board ran, each step, and why a revert happened. Added to the builder's
 * `ledger` command, which reads the builds; the journal is written by ota/.
 */
export function registerLedgerRolloutsCommand(program: Command, cli: CliContext): void {
  const ledger = program.commands.find((command) => command.name() === 'ledger') ?? program.command('ledger').description('read the ledger');
  ledger
    .command('rollouts')
    .argument('[rollout]', 'a rollout id from `osmose ledger rollouts`: its events, oldest first')
    .description('the rollouts (refs/osmose/rollouts) and how each ended; with a rollout or --board, what happened to which board when, and why')
    .option('--board <board>', 'only the events of this board, across rollouts unless one is given')
    .option('--all', 'also show the inputs the rollout ignored (unknown boards, steps out of order)')
    .option('--json', 'print the rollouts or the events as JSON')
    .action(async (rollout: string | undefined, options: { board?: string; all?: boolean; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      if (rollout === undefined && options.board === undefined) {
        const listings = await listRollouts(root);
        if (options.json === true) return printJson(cli, listings.map((listing) => listing.summary));
        if (listings.length === 0) cli.stdout('no rollouts yet: run `osmose rollout`\n');
        for (const { startedAt, summary: s } of listings) {
          const rest = s.total - s.boards.committed - s.boards.unchanged - s.failures.length;
          const counts = `${s.boards.committed} committed, ${s.boards.unchanged} unchanged, ${s.failures.length} failed, ${rest} not updated, of ${s.total}`;
          cli.stdout(`${s.rollout}  ${startedAt}  build ${s.build.slice(0, 12)}  ${s.status}  ${counts}${s.reason === null ? '' : `  (${s.reason})`}\n`);
        }
        return;
      }
      const entries = await rolloutHistory(root, {
        ...(rollout === undefined ? {} : { rollout }),
        ...(options.board === undefined ? {} : { board: options.board }),
        withoutIgnored: options.all !== true,
      });
      if (options.json === true) return printJson(cli, entries);
      if (entries.length === 0) cli.stdout(`no events${options.board === undefined ? '' : ` for board ${options.board}`}\n`);
      const prefix = rollout === undefined;
      for (const entry of entries) cli.stdout(`${entry.at}  ${prefix ? `${entry.rollout}  ` : ''}${entry.text}\n`);
    });
}
