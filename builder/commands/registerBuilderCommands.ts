import type { Command } from 'commander';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { buildCommand } from './buildCommand.js';
import { initCommand } from './initCommand.js';
import { keysCommand } from './keysCommand.js';
import { ledgerCommand } from './ledgerCommand.js';
import { planCommand } from './planCommand.js';
import { schemaCommand } from './schemaCommand.js';
import { topologyCommand } from './topologyCommand.js';
import { validateCommand } from './validateCommand.js';

/** The commands the builder owns, in the order `osmose --help` lists them. */
export function registerBuilderCommands(program: Command, cli: CliContext): void {
  initCommand(program, cli);
  validateCommand(program, cli);
  topologyCommand(program, cli);
  planCommand(program, cli);
  buildCommand(program, cli);
  ledgerCommand(program, cli);
  keysCommand(program, cli);
  schemaCommand(program, cli);
}
