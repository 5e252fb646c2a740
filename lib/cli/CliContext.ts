import type { Command } from 'commander';

/**
 * What a command's action may use instead of reaching for `process`: the directory it runs
 * in (after `-C`), its output streams and the environment. Tests run the CLI in-process
 * with their own context.
 */
export interface CliContext {
  /** The directory the command acts in: the process's, or the one given with `-C`. */
  readonly cwd: () => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when a person can answer a prompt (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** For commands that report refused input themselves (validate): the status to exit with. */
  readonly setExitCode: (code: number) => void;
}

/** Each layer that owns commands exports one of these; the CLI calls them in turn. */
export type RegisterCommands = (program: Command, cli: CliContext) => void;

/** Prints `value` as one JSON document (for `--json`). */
export function printJson(cli: CliContext, value: unknown): void {
  cli.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
