import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';
import { formatIssues } from '../validate/formatIssues.js';
import { validateBuilding } from '../validate/validateBuilding.js';

export function validateCommand(program: Command, cli: CliContext): void {
  program
    .command('validate')
    .description('check building.yaml and its policies; report every problem with its line and a fix')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const result = await validateBuilding(root);
      if (options.json === true) {
        printJson(cli, result.ok ? { ok: true, root, summary: summarise(result.building.index, result.building), issues: [] } : { ok: false, root, issues: result.issues });
      } else if (result.ok) {
        const s = summarise(result.building.index, result.building);
        cli.stdout(`building.yaml is valid: ${count(s.boards, 'board')} and ${count(s.devices, 'device')} in ${count(s.spaces, 'space')}, ${count(s.apps, 'app')}, ${count(s.rules, 'policy rule')}\n`);
      } else {
        cli.stderr(`${formatIssues(result.issues)}\n${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} found\n`);
      }
      if (!result.ok) cli.setExitCode(1);
    });
}

function summarise(
  index: { spaces: readonly unknown[]; boards: readonly unknown[]; devices: readonly unknown[] },
  building: { spec: { apps?: readonly unknown[] | undefined }; policies: { rules: readonly unknown[] } },
): { spaces: number; boards: number; devices: number; apps: number; rules: number } {
  return {
    spaces: index.spaces.length,
    boards: index.boards.length,
    devices: index.devices.length,
    apps: building.spec.apps?.length ?? 0,
    rules: building.policies.rules.length,
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
