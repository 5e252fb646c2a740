import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { planBuilding } from '../plan/planBuilding.js';
import { renderPlan } from '../plan/renderPlan.js';
import { requireBuilding } from './requireBuilding.js';

export function planCommand(program: Command, cli: CliContext): void {
  program
    .command('plan')
    .description('show what each board will run: the fragments placed on it, how their needs bind, their grants, and the circuits between boards')
    .option('--json', 'print the plan as JSON (the BuildPlan the build consumes)')
    .addHelpText(
      'after',
      `
The plan follows building.yaml and its policies and nothing else, so the same building always
gives the same plan. See docs/building-yaml.md for the placement and binding rules.`,
    )
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true;
      const plan = planBuilding(await requireBuilding(cli, json));
      if (json) printJson(cli, plan);
      else cli.stdout(renderPlan(plan));
    });
}
