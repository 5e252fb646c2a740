import type { Command } from 'commander';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { registerEraseCommand } from './eraseCommand.js';
import { registerGatewayCommand } from './gatewayCommand.js';
import { registerLedgerRolloutsCommand } from './ledgerRolloutsCommand.js';
import { registerPeopleCommand } from './peopleCommand.js';
import { registerRecordsCommand } from './recordsCommand.js';
import { registerRolloutCommand } from './rolloutCommand.js';
import { registerScheduleCommand } from './scheduleCommand.js';
import { addSimGatewayOptions } from './simGatewayOptions.js';
import { registerStatusCommand } from './statusCommand.js';

/** The commands ota/ owns, in the order `osmose --help` lists them; and --listen/--gateway for `osmose sim`. */
export function registerOtaCommands(program: Command, cli: CliContext): void {
  registerGatewayCommand(program, cli);
  registerRolloutCommand(program, cli);
  registerStatusCommand(program, cli);
  registerScheduleCommand(program, cli);
  registerLedgerRolloutsCommand(program, cli);
  registerPeopleCommand(program, cli);
  registerRecordsCommand(program, cli);
  registerEraseCommand(program, cli);
  addSimGatewayOptions(program, cli);
}
