import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import { buildBuilding, type BuildProgress } from '../build/buildBuilding.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';
import type { PlanSchedule } from '../plan/PlanSchedule.js';
import { formatIssues } from '../validate/formatIssues.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';

export function buildCommand(program: Command, cli: CliContext): void {
  program
    .command('build')
    .description('compile every board\'s unikernel and record the build in the ledger (refs/osmose/builds)')
    .option('--json', 'print the report as JSON: per board whether its image changed, compiles, cache hits, time')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const json = options.json === true;
      const progress = !json && cli.interactive ? progressBar(cli) : undefined;
      let report;
      try {
        report = await buildBuilding({ root, ...(progress === undefined ? {} : { onProgress: progress.update }) });
      } catch (error) {
        progress?.stop();
        const issues = error instanceof InputError ? (error.data['issues'] as ValidationIssue[] | undefined) : undefined;
        if (!json && issues !== undefined) cli.stderr(`${formatIssues(issues)}\n`);
        throw error;
      }
      progress?.stop();
      if (json) {
        printJson(cli, { ok: true, ...report });
        return;
      }
      const { counts, ledger } = report;
      const seconds = (report.ms / 1000).toFixed(2);
      if (report.upToDate) {
        const resigned = ledger.created && report.repository !== null ? `; update metadata signed again (timestamp ${report.repository.timestamp}): ledger ${ledger.commit.slice(0, 12)}` : ` since ledger build ${ledger.commit.slice(0, 12)}`;
        cli.stdout(`up to date: nothing changed${resigned} (${counts.boards} boards, ${seconds} s)\n`);
        return;
      }
      cli.stdout(
        `built ${counts.boards} boards in ${seconds} s: ${counts.changed} changed; ${counts.modules} modules, ${counts.compiles} compiled, ${counts.cacheHits} from the cache\n` +
          (ledger.created ? `ledger: ${ledger.commit.slice(0, 12)} on refs/osmose/builds\n` : `ledger: unchanged (${ledger.commit.slice(0, 12)})\n`) +
          (report.schedule === null ? '' : describeSchedule(report.schedule)),
      );
    });
}

/** The boards out of service (refs/osmose/schedule) and what moved off them; nothing when every board is up. */
function describeSchedule(schedule: PlanSchedule): string {
  const lines = schedule.down.map((entry) => `out of service: ${entry.board}, ${entry.returned === null ? `down since ${entry.since}` : `back since ${entry.returned}`} (${entry.why})\n`);
  for (const move of schedule.moved) lines.push(`moved: ${move.instance} from ${move.from} to ${move.to}\n`);
  for (const need of schedule.rebound) lines.push(`rebound: ${need.instance} ${need.need} from ${need.from} to ${need.to}\n`);
  for (const fragment of schedule.unplaced) lines.push(`unplaced: ${fragment.instance}: ${fragment.reason}\n`);
  for (const need of schedule.stranded) lines.push(`stranded: ${need.instance} ${need.need} stays bound to ${need.board}, which is out of service\n`);
  return lines.join('');
}

/** A bar on the terminal: compiling, then specialising boards. */
function progressBar(cli: CliContext): { update: (progress: BuildProgress) => void; stop: () => void } {
  const bar = new SingleBar(
    { format: ' {phase} [{bar}] {value}/{total} {detail}', stream: { write: (text: string) => cli.stderr(text), isTTY: true } as unknown as NodeJS.WritableStream, hideCursor: true, clearOnComplete: true },
  );
  let phase: BuildProgress['phase'] | undefined;
  return {
    update: (progress) => {
      const label = progress.phase === 'compile' ? 'compiling ' : 'boards    ';
      const detail = progress.phase === 'compile' ? progress.app : '';
      if (phase !== progress.phase) {
        if (phase !== undefined) bar.stop();
        bar.start(progress.total, 0, { phase: label, detail });
        phase = progress.phase;
      }
      bar.update(progress.done, { phase: label, detail });
    },
    stop: () => {
      if (phase !== undefined) bar.stop();
    },
  };
}
