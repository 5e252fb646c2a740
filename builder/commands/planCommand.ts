import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';
import { planBuilding } from '../plan/planBuilding.js';
import { readSchedule } from '../plan/schedule/readSchedule.js';
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
The plan follows building.yaml, its policies and the boards out of service (refs/osmose/schedule,
docs/scheduler.md) and nothing else, so the same building always gives the same plan. See
docs/building-yaml.md for the placement and binding rules.`,
    )
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true;
      const building = await requireBuilding(cli, json);
      const plan = planBuilding(building, { down: (await readSchedule(findBuildingRoot(cli.cwd()))).down });
      if (json) printJson(cli, plan);
      else cli.stdout(renderPlan(plan));
    });
}
