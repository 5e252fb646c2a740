import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { renderTopology } from '../topology/renderTopology.js';
import { topologyTree } from '../topology/topologyTree.js';
import { requireBuilding } from './requireBuilding.js';

export function topologyCommand(program: Command, cli: CliContext): void {
  program
    .command('topology')
    .description('print the containment tree: spaces, their boards and each board\'s devices')
    .option('--json', 'print the tree as JSON')
    .action(async (options: { json?: boolean }) => {
      const building = await requireBuilding(cli, options.json === true);
      if (options.json === true) printJson(cli, topologyTree(building.spec));
      else cli.stdout(renderTopology(building.spec));
    });
}
