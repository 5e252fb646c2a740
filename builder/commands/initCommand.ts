import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { askRootPassphrase } from '../init/askRootPassphrase.js';
import { defaultGridSize, type GridSize } from '../init/gridBuilding.js';
import { initBuilding, type InitResult } from '../init/initBuilding.js';
import { privateKeysDir, publicKeysDir } from '../init/makeRoleKeys.js';
import { rootPassphrase, rootPassphraseVariable } from '../init/rootPassphrase.js';
import { templateNames, type TemplateName } from '../init/templateNames.js';

/** More boards than this is a typo, not a benchmark: generating them would seem to hang. */
const maxGridBoards = 100_000;

interface InitCommandOptions {
  template: TemplateName;
  name?: string;
  force?: boolean;
  floors?: number;
  rooms?: number;
  boardsPerRoom?: number;
  json?: boolean;
}

export function initCommand(program: Command, cli: CliContext): void {
  program
    .command('init')
    .description('create a building repository in DIR: building.yaml, policies, apps, signing keys and a first commit')
    .argument('<dir>', 'the folder to create (or an empty one)')
    .addOption(new Option('--template <name>', 'what the building starts as').choices(templateNames).default(templateNames[0]))
    .option('--name <name>', "the building's name (default: the folder's name)")
    .option('--force', 'write into a folder that is not empty: template files are written, other files left alone, existing keys kept')
    .option('--floors <n>', `grid template: floors (default ${defaultGridSize.floors})`, positiveInteger)
    .option('--rooms <n>', `grid template: rooms on each floor (default ${defaultGridSize.rooms})`, positiveInteger)
    .option('--boards-per-room <n>', `grid template: boards in each room (default ${defaultGridSize.boardsPerRoom})`, positiveInteger)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The root signing key is encrypted with a passphrase, read from ${rootPassphraseVariable} or
asked for at the terminal. Private keys stay in DIR/${privateKeysDir}/ and are never committed.

Templates:
  coworking  the paper's scenario: entrance, corridor, two meeting rooms, an open space, a phone booth; 19 sim boards, 7 apps
  empty      no spaces and no apps, policies that deny everything
  grid       a synthetic building of --floors × --rooms × --boards-per-room sim boards, for scale tests

Examples:
  osmose init wgb --name "William Gates Building"
  osmose init bench --template grid --floors 10 --rooms 25 --boards-per-room 4`,
    )
    .action(async (dirArgument: string, options: InitCommandOptions, command: Command) => {
      const grid = gridSize(options, command);
      if (options.name?.trim() === '') command.error('error: --name cannot be empty', { exitCode: 2, code: 'init.usage' });
      const result = await initBuilding({
        dir: resolve(cli.cwd(), dirArgument),
        template: options.template,
        name: options.name,
        force: options.force === true,
        grid,
        rootPassphrase: () => rootPassphrase({ env: cli.env, interactive: cli.interactive, ask: () => askRootPassphrase() }),
        author: {
          name: nonEmpty(cli.env['GIT_AUTHOR_NAME']) ?? 'osmose',
          email: nonEmpty(cli.env['GIT_AUTHOR_EMAIL']) ?? 'osmose@localhost',
        },
      });
      if (options.json === true) printJson(cli, report(result));
      else cli.stdout(describe(result));
    });
}

function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('Give a whole number, 1 or more.');
  }
  return Number(value);
}

/** The grid's size, or a usage error when the options do not fit the template. */
function gridSize(options: InitCommandOptions, command: Command): GridSize | undefined {
  const given = [
    ['--floors', options.floors],
    ['--rooms', options.rooms],
    ['--boards-per-room', options.boardsPerRoom],
  ].filter(([, value]) => value !== undefined);
  if (options.template !== 'grid') {
    if (given.length > 0) {
      command.error(`error: ${given.map(([flag]) => flag).join(', ')} only ${given.length === 1 ? 'applies' : 'apply'} to --template grid, not ${options.template}`, { exitCode: 2, code: 'init.usage' });
    }
    return undefined;
  }
  const size: GridSize = {
    floors: options.floors ?? defaultGridSize.floors,
    rooms: options.rooms ?? defaultGridSize.rooms,
    boardsPerRoom: options.boardsPerRoom ?? defaultGridSize.boardsPerRoom,
  };
  const boards = size.floors * size.rooms * size.boardsPerRoom;
  if (boards > maxGridBoards) {
    command.error(`error: a grid of ${size.floors} × ${size.rooms} × ${size.boardsPerRoom} is ${boards} boards; the most is ${maxGridBoards}`, { exitCode: 2, code: 'init.usage' });
  }
  return size;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function report(result: InitResult): object {
  return {
    ok: true,
    root: result.root,
    template: result.template,
    building: result.building,
    ...result.counts,
    keys: Object.fromEntries(result.keys.map((key) => [key.role, { keyid: key.keyid, reused: key.reused }])),
    branch: result.branch,
    commit: result.commit,
    files: result.files,
  };
}

function describe(result: InitResult): string {
  const { counts } = result;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const keys = result.keys.map((key) => {
    const note = key.role === 'root' ? 'encrypted with your passphrase' : 'online key, not encrypted';
    return `    ${key.role.padEnd(10)} ${key.keyid}  (${key.reused ? 'kept' : 'new'}; ${note})`;
  });
  return [
    `Created building ${result.building.id} ("${result.building.name}") in ${result.root} from the ${result.template} template:`,
    `  ${plural(counts.boards, 'board')} and ${plural(counts.devices, 'device')} in ${plural(counts.spaces, 'space')}, ${plural(counts.apps, 'app')}, ${plural(counts.rules, 'policy rule')}`,
    `  signing keys, private in ${privateKeysDir}/ (never committed), public in ${publicKeysDir}/:`,
    ...keys,
    `  commit ${result.commit} on ${result.branch}, ${plural(result.files.length, 'file')}`,
    '',
    'Next steps:',
    `  osmose -C ${shellQuote(result.root)} validate     check building.yaml and policies.yaml`,
    `  edit ${shellQuote(`${result.root}/building.yaml`)} to describe the building`,
    `  keep a copy of ${privateKeysDir}/root.pem and its passphrase offline`,
    '',
  ].join('\n');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
