import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import { SimBuilding, type SimAgents, type SimBoardSummary, type SimDeviceState } from '../sim/SimBuilding.js';
import { replyJson, simRequest } from '../sim/simControlClient.js';
import { claimSimSocket, serveSimControl, simControlSocket } from '../sim/simControlServer.js';
import { SimJournal } from '../sim/SimJournal.js';
import { registerSimStoryCommands } from './simStoryCommands.js';

/**
 * `osmose sim` runs every simulated board of the latest build in this process until
 * interrupted; `osmose sim get|set|press|display|inject|played|boards` drive it from another
 * shell through its control socket (docs/simulator.md).
 */
export function registerSimCommands(program: Command, cli: CliContext): void {
  const sim = program
    .command('sim')
    .description('run every simulated board of the latest build until interrupted; the subcommands drive a running one')
    .option('--json', 'print events as JSON lines')
    // `sim --json` runs the simulator; `sim get X --json` is get's own option.
    .enablePositionalOptions()
    .action(async (options: { json?: boolean }) => runSimulator(cli, options.json === true));

  sim
    .command('boards')
    .description('list the running boards: slot, image, health, devices')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const reply = replyJson<{ boards: SimBoardSummary[]; skipped: string[] }>(await simRequest(socketOf(cli), 'GET', '/boards'));
      if (options.json === true) return printJson(cli, reply);
      for (const board of reply.boards) {
        cli.stdout(`${board.board}  slot ${board.slot ?? '-'}  ${board.running ? 'running' : 'stopped'}  runs ${board.runs}  stops ${board.stops}  ${board.devices.map((d) => `${d.name}(${d.driver})`).join(' ')}\n`);
        for (const [id, circuit] of Object.entries(board.circuits?.circuits ?? {})) {
          const refused = (['replayed', 'forged', 'stale', 'malformed'] as const).filter((reason) => circuit[reason] > 0).map((reason) => `${reason} ${circuit[reason]}`);
          cli.stdout(`  circuit ${id} (${circuit.end} end, to ${circuit.peer})  sent ${circuit.sent}  accepted ${circuit.accepted}${refused.length === 0 ? '' : `  refused: ${refused.join(', ')}`}\n`);
        }
      }
      if (reply.skipped.length > 0) cli.stdout(`not simulated: ${reply.skipped.join(', ')}\n`);
    });

  sim
    .command('get')
    .argument('<board.device>', 'a device as building.yaml names it, such as meeting-1-door.lamp')
    .description("read a device's state: a digital level (1 is active), a display's size")
    .option('--json', 'print JSON')
    .action(async (target: string, options: { json?: boolean }) => {
      const state = replyJson<SimDeviceState>(await simRequest(socketOf(cli), 'GET', devicePath(target)));
      report(cli, state, options.json === true);
    });

  sim
    .command('set')
    .argument('<board.device>', 'a digital input, such as meeting-1-door.button')
    .argument('<level>', '0 or 1 (1 is active, as the app reads it)')
    .description('drive a digital input to a level and leave it there')
    .option('--json', 'print JSON')
    .action(async (target: string, level: string, options: { json?: boolean }) => {
      if (level !== '0' && level !== '1') throw new InputError('sim.bad-level', `a level is 0 or 1, not ${level}`, { hint: 'osmose sim set BOARD.DEVICE 1', data: { level } });
      const state = replyJson<SimDeviceState>(await simRequest(socketOf(cli), 'PUT', devicePath(target), { level: Number(level) }));
      report(cli, state, options.json === true);
    });

  sim
    .command('press')
    .argument('<board.device>', 'a digital input, such as meeting-1-door.button')
    .description('press a button momentarily, whatever its pull: away from its resting level, held, then back')
    .option('--hold <ms>', 'how long the press lasts, in milliseconds', '100')
    .option('--json', 'print JSON')
    .action(async (target: string, options: { hold: string; json?: boolean }) => {
      const holdMs = Number(options.hold);
      if (!Number.isInteger(holdMs) || holdMs < 1) throw new InputError('sim.bad-hold', `--hold takes milliseconds, not ${options.hold}`, { hint: '--hold 100', data: { hold: options.hold } });
      const state = replyJson<SimDeviceState>(await simRequest(socketOf(cli), 'POST', `${devicePath(target)}/press`, { holdMs }));
      report(cli, state, options.json === true);
    });

  sim
    .command('display')
    .argument('<board.device>', 'a display, such as meeting-1-wall.screen')
    .description('save what a display shows as a PNG file')
    .requiredOption('--out <file.png>', 'where to write the PNG')
    .action(async (target: string, options: { out: string }) => {
      const reply = await simRequest(socketOf(cli), 'GET', `${devicePath(target)}/png`);
      const out = resolve(cli.cwd(), options.out);
      await writeFile(out, reply.body);
      cli.stdout(`${target}: ${reply.body.byteLength} bytes of PNG written to ${out}\n`);
    });

  sim
    .command('inject')
    .argument('<board.device>', 'a microphone, such as meeting-1-ceiling.mic')
    .argument('<file.wav>', 'a 16-bit PCM WAV file at the microphone\'s rate and channels')
    .description('play a WAV file into a microphone (heard only while the board captures)')
    .action(async (target: string, file: string) => {
      const wav = await readFile(resolve(cli.cwd(), file)).catch((cause: unknown) => {
        throw new InputError('sim.no-file', `${file} cannot be read`, { data: { file }, cause });
      });
      const { heard } = replyJson<{ heard: boolean }>(await simRequest(socketOf(cli), 'POST', `${devicePath(target)}/wav`, wav));
      cli.stdout(heard ? `${target} heard ${file}\n` : `${target} is not capturing: nothing was heard\n`);
    });

  registerSimStoryCommands(sim, cli);

  sim
    .command('played')
    .argument('<board.device>', 'a speaker, such as corridor-speaker.speaker')
    .description('save everything a speaker has played as a WAV file')
    .requiredOption('--out <file.wav>', 'where to write the WAV')
    .action(async (target: string, options: { out: string }) => {
      const reply = await simRequest(socketOf(cli), 'GET', `${devicePath(target)}/wav`);
      const out = resolve(cli.cwd(), options.out);
      await writeFile(out, reply.body);
      cli.stdout(`${target}: ${reply.body.byteLength} bytes of WAV written to ${out}\n`);
    });
}

/** What a layer above adds to a simulator run: boards under update agents, and what else to stop at the end (osmose sim --listen). */
export interface SimRunExtras {
  readonly agents?: SimAgents;
  /** Given the run's journal before the boards start, to journal what the layer above sees (the gateway's presence). */
  readonly journal?: (journal: SimJournal) => void;
  /** Given the running building once its boards run, to show it elsewhere (the gateway's dashboard shows its devices). */
  readonly building?: (building: SimBuilding) => void;
  /** Said once the boards run, after the control socket line. */
  readonly banner?: string;
  readonly close?: () => Promise<void>;
}

/** Runs the simulated building until SIGINT or SIGTERM (the `osmose sim` command). */
export async function runSimulator(cli: CliContext, json: boolean, extras: SimRunExtras = {}): Promise<void> {
  const root = findBuildingRoot(cli.cwd());
  const socket = simControlSocket(root);
  await claimSimSocket(socket);
  const event = (value: Record<string, unknown>, text: string): void => (json ? cli.stdout(`${JSON.stringify(value)}\n`) : cli.stdout(text));
  const journal = new SimJournal();
  const stopPeers = journal.watchPeers();
  extras.journal?.(journal);
  const building = await SimBuilding.start(root, {
    journal,
    ...(extras.agents === undefined ? {} : { agents: extras.agents }),
    onBoard: (board, index, total) => {
      // A progress line on a terminal; a log gets only the summary below.
      if (!json && cli.interactive) cli.stderr(`\rbooted ${index}/${total} ${board}${' '.repeat(20)}${index === total ? '\n' : ''}`);
    },
    onOutput: (board, device, level) => event({ event: 'output', board, device, level }, `${board}.${device} = ${level}\n`),
    onLog: (board, instance, level, message) => event({ event: 'log', board, instance, level, message }, `${board} ${instance}: ${message}\n`),
    onStop: (board, stop) => {
      event({ event: 'stop', board, ...stop }, '');
      if (!json) cli.stderr(`${board}: unikernel stopped: ${stop.error.code}: ${stop.error.message}; ${stop.restartInMs === null ? 'not restarted' : `restarting in ${stop.restartInMs} ms`}\n`);
    },
  });
  let server;
  try {
    server = await serveSimControl(building, socket, journal);
  } catch (error) {
    stopPeers();
    await building.close();
    await extras.close?.();
    throw error;
  }
  extras.building?.(building);
  const boards = building.boardIds;
  const button = building.summaries().flatMap((board) => board.devices.filter((device) => device.driver === 'gpio-in').map((device) => `${board.board}.${device.name}`))[0];
  event(
    { event: 'running', boards, skipped: building.skipped, socket, commit: building.commit },
    `${boards.length} simulated boards running (build ${building.commit.slice(0, 12)})${building.skipped.length > 0 ? `; not simulated: ${building.skipped.join(', ')}` : ''}\n` +
      `control socket: ${socket}\n${extras.banner ?? ''}try: osmose sim press ${button ?? 'BOARD.DEVICE'}, osmose sim boards; Ctrl-C stops\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await new Promise<void>((done) => server.close(() => done()));
  stopPeers();
  await building.close();
  await extras.close?.();
  event({ event: 'stopped' }, 'simulator stopped\n');
}

function socketOf(cli: CliContext): string {
  return simControlSocket(findBuildingRoot(cli.cwd()));
}

/** `board.device` → its control path; the board is everything before the first dot. */
function devicePath(target: string): string {
  const dot = target.indexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw new InputError('sim.bad-target', `${target} is not BOARD.DEVICE`, { hint: 'name a device as board id, a dot, and the device as building.yaml names it: meeting-1-door.button', data: { target } });
  }
  return `/devices/${encodeURIComponent(target.slice(0, dot))}/${encodeURIComponent(target.slice(dot + 1))}`;
}

function report(cli: CliContext, state: SimDeviceState, json: boolean): void {
  if (json) return printJson(cli, state);
  const { board, device, driver, ...rest } = state;
  const detail = 'level' in state ? `${state.level} (line ${state.line} ${state.raw === 1 ? 'high' : 'low'})` : JSON.stringify(rest);
  cli.stdout(`${board}.${device} (${driver}) = ${detail}\n`);
}
