import { Command, CommanderError } from 'commander';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { InputError, isOsmoseError } from '../../lib/OsmoseError.js';
import { registerKernelCommands } from './registerKernelCommands.js';

// The shim's entry on a board: `node boot.mjs BOARD_DIR|IMAGE [--json] [--once]` is `osmose boot`
// without the builder, so image/bundleShim.ts can make one small file of it. The command
// itself is registerKernelCommands'; only the exit statuses are repeated here from
// cli/runCli.ts (0 ok, 1 refused input, 2 usage, 70 a bug), which kernel-js may not import.
const argv = process.argv.slice(2);
let exitCode = 0;
const cli: CliContext = {
  cwd: () => process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: false,
  setExitCode: (code) => {
    exitCode = code;
  },
};
const program = new Command('osmose').configureOutput({ writeOut: cli.stdout, writeErr: cli.stderr }).exitOverride();
registerKernelCommands(program, cli);

try {
  // `node boot.mjs loader PORT --to DISK` is the serial loader; anything else boots.
  await program.parseAsync(argv[0] === 'loader' ? argv : ['boot', ...argv], { from: 'user' });
} catch (error) {
  if (error instanceof CommanderError) {
    exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (isOsmoseError(error) && error instanceof InputError) {
    if (argv.includes('--json')) cli.stdout(`${JSON.stringify({ ok: false, error: error.toJSON() }, null, 2)}\n`);
    else cli.stderr(`osmose boot: ${error.message}\n${error.hint === undefined ? '' : `  hint: ${error.hint}\n`}`);
    exitCode = 1;
  } else {
    cli.stderr(`osmose boot: internal error (a bug in osmose, not in your input; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitCode = 70;
  }
}
process.exitCode = exitCode;
