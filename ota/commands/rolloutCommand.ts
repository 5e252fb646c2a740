import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { gatewayRequest } from '../gateway/gatewayRequest.js';
import { parseRolloutOptions, rolloutDefaults } from '../rollout/parseRolloutOptions.js';
import { renderRolloutLine } from '../rollout/renderRolloutLine.js';
import { rolloutExitStatuses } from '../rollout/rolloutExitStatus.js';
import type { RolloutSummary } from '../rollout/rolloutSummary.js';
import { finalRolloutStatuses } from '../rollout/rolloutTable.js';

interface RolloutCommandOptions {
  readonly waves: string;
  readonly maxFailures: string;
  readonly window: string[];
  readonly healthTimeout: string;
  readonly wait: boolean;
  readonly json?: boolean;
}

/**
 * `osmose rollout`: asks the running gateway to roll the latest build out in waves and follows
 * it to its end, with a live line on a terminal; `pause`, `resume`, `abort`, `hold`, `release`
 * and `show` act on the rollout in progress. The exit status says how it ended
 * (rolloutExitStatuses: 0 completed, 1 halted or aborted, 3 completed with boards deferred).
 */
export function registerRolloutCommand(program: Command, cli: CliContext): void {
  const rollout = program
    .command('rollout')
    .description('roll the latest build out to the boards in waves, each gated on the health of the one before; halts and rolls the wave back past the failure limit (needs a running gateway)')
    .option('--waves <sizes>', 'cumulative wave sizes: a count or a percentage of the boards to update, the last 100%', rolloutDefaults.waves)
    .option('--max-failures <n|p%>', 'halt once more boards than this have failed (a percentage is of the boards offered so far)', rolloutDefaults.maxFailures)
    .option('--window <days hh:mm-hh:mm>', 'offer updates only inside this maintenance window, in the building\'s time zone; repeatable', (value: string, list: string[]) => [...list, value], [])
    .option('--health-timeout <duration>', 'a board offered but not healthy by then has failed', rolloutDefaults.healthTimeout)
    .option('--no-wait', 'start it and return, without following it')
    .option('--json', 'print the rollout\'s summary as JSON when it ends')
    .action(async (options: RolloutCommandOptions) => {
      const root = findBuildingRoot(cli.cwd());
      // Checked here first, so a typo is refused before anything reaches the gateway.
      parseRolloutOptions({ waves: options.waves, maxFailures: options.maxFailures, window: options.window, healthTimeout: options.healthTimeout });
      const started = await gatewayRequest<RolloutSummary>(root, 'POST', '/rollouts', { waves: options.waves, maxFailures: options.maxFailures, window: options.window, healthTimeout: options.healthTimeout });
      if (!options.wait) {
        if (options.json === true) printJson(cli, started);
        else cli.stdout(`rollout started: ${renderRolloutLine(started)}\n`);
        return;
      }
      const end = await follow(cli, root, started, options.json === true);
      if (options.json === true) printJson(cli, end);
      else cli.stdout(`${end.rollout}: ${end.status}${end.reason === null ? '' : ` (${end.reason})`}\n${describeEnd(end)}`);
      cli.setExitCode(rolloutExitStatuses[end.status]);
    });

  for (const verb of ['pause', 'resume'] as const) {
    rollout
      .command(verb)
      .description(verb === 'pause' ? 'offer no more boards (those in flight finish and are still gated)' : 'offer boards again')
      .option('--json', 'print the summary as JSON')
      .action(async (options: { json?: boolean }) => show(cli, await gatewayRequest<RolloutSummary>(findBuildingRoot(cli.cwd()), 'POST', `/rollouts/current/${verb}`), options.json === true));
  }
  rollout
    .command('abort')
    .description('stop the rollout and roll its current wave back')
    .option('--reason <text>', 'why, for the ledger')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { reason?: string; json?: boolean }) =>
      show(cli, await gatewayRequest<RolloutSummary>(findBuildingRoot(cli.cwd()), 'POST', '/rollouts/current/abort', options.reason === undefined ? {} : { reason: options.reason }), options.json === true),
    );
  for (const verb of ['hold', 'release'] as const) {
    rollout
      .command(verb)
      .argument('<space>', 'a space id or path, as osmose topology shows it (floor-1/meeting-2)')
      .description(verb === 'hold' ? 'upgrade the boards of this space later (a meeting is on)' : 'let the boards of a held space be upgraded')
      .option('--json', 'print the summary as JSON')
      .action(async (space: string, options: { json?: boolean }) =>
        show(cli, await gatewayRequest<RolloutSummary>(findBuildingRoot(cli.cwd()), verb === 'hold' ? 'POST' : 'DELETE', `/holds/${encodeURIComponent(space)}`), options.json === true),
      );
  }
  rollout
    .command('show')
    .description('where the rollout in progress (or the last one) stands')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { json?: boolean }) => show(cli, await gatewayRequest<RolloutSummary>(findBuildingRoot(cli.cwd()), 'GET', '/rollouts/current'), options.json === true));
}

function show(cli: CliContext, summary: RolloutSummary, json: boolean): void {
  if (json) printJson(cli, summary);
  else cli.stdout(`${renderRolloutLine(summary)}\n`);
}

/** Polls the gateway until the rollout ends; a live line on a terminal, a line per change otherwise. */
async function follow(cli: CliContext, root: string, first: RolloutSummary, json: boolean): Promise<RolloutSummary> {
  let summary = first;
  let last = '';
  for (;;) {
    const line = renderRolloutLine(summary);
    if (!json && line !== last) {
      if (cli.interactive) cli.stderr(`\r\x1b[K${line}`);
      else cli.stderr(`${line}\n`);
      last = line;
    }
    if ((finalRolloutStatuses as readonly string[]).includes(summary.status) || summary.status === 'completed-with-deferred') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
    summary = await gatewayRequest<RolloutSummary>(root, 'GET', '/rollouts/current');
  }
  if (!json && cli.interactive) cli.stderr('\n');
  return summary;
}

function describeEnd(summary: RolloutSummary): string {
  const lines = summary.failures.map((failure) => `  ${failure.board}: ${failure.reason}\n`);
  const deferred = summary.deferred.map((board) => `  ${board.board} deferred: ${board.reason}\n`);
  return [...lines, ...deferred].join('');
}
