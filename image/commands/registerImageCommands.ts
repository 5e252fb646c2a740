import type { Command } from 'commander';
import { registerFlashCommand } from './flashCommand.js';
import { registerImageCommand } from './imageCommand.js';
import { registerSimCommands } from './simCommands.js';
import type { CliContext } from '../../lib/cli/CliContext.js';

/** The commands image/ owns: running the simulated building (and, with the trust issue, images and flashing). */
export function registerImageCommands(program: Command, cli: CliContext): void {
  registerImageCommand(program, cli);
  registerFlashCommand(program, cli);
  registerSimCommands(program, cli);
}
