import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { gatewayRequest } from '../gateway/gatewayRequest.js';
import type { PersonErasure } from '../gateway/peopleRoute.js';
import { checkPseudonym } from '../people/pseudonym.js';

/**
 * `osmose erase PSEUDONYM`: the right to be forgotten, through the running gateway. The person
 * leaves, every board with an enclave deletes what was theirs, and the register's history is
 * rewritten and collected so that no git object holds them; then every object is read back to
 * prove it. Prints what was removed, where, and what the verification scanned.
 */
export function registerEraseCommand(program: Command, cli: CliContext): void {
  program
    .command('erase')
    .argument('<pseudonym>', 'the person to forget, as osmose people list shows them')
    .description("erase a person: their recordings on the boards, their keys, and every trace in the ledger's history, verified by scanning every object (needs a running gateway)")
    .option('--json', 'print the report as JSON')
    .action(async (pseudonym: string, options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const report = await gatewayRequest<PersonErasure>(root, 'POST', `/erase/${encodeURIComponent(checkPseudonym(pseudonym))}`);
      if (options.json === true) return printJson(cli, report);
      cli.stdout(describeErasure(report));
    });
}

/** The report as the operator reads it: the boards, the ledger, the verification. */
export function describeErasure(report: PersonErasure): string {
  const { ledger } = report;
  const lines = [report.left === null ? `${report.pseudonym} was not inside` : `${report.pseudonym} left the building (from ${report.left})`];
  if (report.boards.length === 0) lines.push('boards: none keeps recordings');
  for (const board of report.boards) {
    lines.push(`${board.board}: ${board.epochsRemoved} ${plural(board.epochsRemoved, 'recording epoch')} removed, ${board.membershipsRemoved} ${plural(board.membershipsRemoved, 'wrapped key')} in shared ones, ${board.activityRemoved} ${plural(board.activityRemoved, 'activity record')}; ${board.bytesRemoved} bytes`);
  }
  lines.push(
    `ledger: ${ledger.ref} rewritten, ${ledger.commitsRewritten} ${plural(ledger.commitsRewritten, 'commit')} made again and ${ledger.commitsDropped} dropped, ${ledger.filesRemoved} ${plural(ledger.filesRemoved, 'file version')} removed`,
    `garbage collected: ${ledger.objectsBefore} objects before, ${ledger.objectsAfter} after`,
    `verified: ${ledger.objectsScanned} objects scanned, no object holds ${report.pseudonym} or their keys`,
  );
  for (const file of ledger.workingFiles) lines.push(`note: ${file.path} still holds their ${file.needles.join(', ')}: look at it`);
  return `${lines.join('\n')}\n`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
