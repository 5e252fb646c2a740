import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerBuilderCommands } from '../builder/commands/registerBuilderCommands.js';
import { registerImageCommands } from '../image/commands/registerImageCommands.js';
import { registerKernelCommands } from '../kernel-js/commands/registerKernelCommands.js';
import { registerOtaCommands } from '../ota/commands/registerOtaCommands.js';
import type { CliContext, RegisterCommands } from '../lib/cli/CliContext.js';
import { InputError, isOsmoseError } from '../lib/OsmoseError.js';
import { osmoseVersion as version } from '../lib/osmoseVersion.js';

/**
 * Exit statuses: the command worked, its input was refused, it was called wrongly, or osmose
 * itself failed (70, EX_SOFTWARE in sysexits.h), so scripts can tell a bug from bad input.
 */
export const exitCodes = { ok: 0, refused: 1, usage: 2, internal: 70 } as const;

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly interactive: boolean;
}

/** The layers that own commands, top to bottom. */
export const commandLayers: readonly RegisterCommands[] = [registerBuilderCommands, registerKernelCommands, registerImageCommands, registerOtaCommands];

/**
 * Runs one osmose command line and returns its exit status. Refused input prints its reasons
 * (and never a stack trace); an internal error says it is one.
 */
export async function runCli(argv: readonly string[], io: CliIo, layers: readonly RegisterCommands[] = commandLayers): Promise<number> {
  let directory = io.cwd;
  let exitCode: number = exitCodes.ok;
  const cli: CliContext = {
    cwd: () => directory,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    interactive: io.interactive,
    setExitCode: (code) => {
      exitCode = code;
    },
  };

  const program = new Command('osmose')
    .description('osmose: one signed WebAssembly unikernel per board, built from one description of the building')
    .version(version, '-V, --version')
    .option('-C <dir>', 'run as if osmose was started in <dir>; repeated, each is relative to the one before (like git -C)', collect, [])
    // Global options go before the command, as with git; after it, options are the command's own.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .hook('preAction', (thisCommand) => {
      for (const dir of thisCommand.opts<{ C: string[] }>().C) directory = enterDirectory(directory, dir);
    });
  for (const register of layers) register(program, cli);
  // `osmose` alone prints help and exits as a usage error, like git.
  if (argv.filter((arg) => !arg.startsWith('-')).length === 0 && !argv.some((arg) => ['-h', '--help', '-V', '--version'].includes(arg))) {
    program.outputHelp({ error: true });
    return exitCodes.usage;
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error, cli, argv.includes('--json'));
  }
}

function report(error: unknown, cli: CliContext, json: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version exit through here with code 0; every other parse failure is usage.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
    return exitCodes.usage;
  }
  if (isOsmoseError(error) && error instanceof InputError) {
    if (json) {
      cli.stdout(`${JSON.stringify({ ok: false, error: error.toJSON() }, null, 2)}\n`);
    } else {
      cli.stderr(`osmose: ${error.message}\n${error.hint === undefined ? '' : `  hint: ${error.hint}\n`}`);
    }
    return exitCodes.refused;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  cli.stderr(`osmose: internal error (a bug in osmose, not in your input; please report it):\n${detail}\n`);
  return exitCodes.internal;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function enterDirectory(from: string, dir: string): string {
  const target = resolve(from, dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch {
    throw new InputError('cli.no-such-directory', `cannot change to ${dir}: no such directory`, {
      hint: 'give -C an existing directory',
      data: { directory: target },
    });
  }
  if (!isDirectory) {
    throw new InputError('cli.not-a-directory', `cannot change to ${dir}: not a directory`, {
      hint: 'give -C a directory, not a file',
      data: { directory: target },
    });
  }
  return target;
}
