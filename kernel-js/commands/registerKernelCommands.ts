import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { bootBoard, type BootedBoard, type BootHealth, type BootOptions } from '../boot/bootBoard.js';
import { BoardAgent } from '../agent/BoardAgent.js';
import { parseGatewayAddress, readGatewayAddress } from '../agent/agentCredentials.js';
import { defaultWorkDir, unpackImageOnce } from '../image/bootImage.js';
import { registerLoaderCommand } from '../loader/loaderCommand.js';

/** The commands kernel-js owns. */
export function registerKernelCommands(program: Command, cli: CliContext): void {
  program
    .command('boot')
    .argument('<board-dir|image>', 'a board directory (board.json, trust/, slots a/ and b/, state.json: kernel-js/README.md) or a disk image made by osmose image')
    .description("boot a board's unikernel from its directory or its disk image: pick and verify a slot, run it under the watchdog until interrupted")
    .option('--json', 'print the health report as JSON; under the update agent, also each of its steps as a JSON line ({"agentState":…,"on":…})')
    .option('--once', 'print the health report once the unikernel has started (or been stopped), then exit')
    .option('--work <dir>', 'for an image: the board directory it is unpacked into, which keeps its state (default: IMAGE.board beside it)')
    .option('--gateway <host:port>', "run the update agent, connected to the building's gateway there (default: the board's gateway.json, if it has one; none with --once)")
    .action(async (target: string, options: { json?: boolean; once?: boolean; work?: string; gateway?: string }) => {
      const path = resolve(cli.cwd(), target);
      const isImage = (await stat(path).catch(() => undefined))?.isFile() === true;
      const dir = isImage ? resolve(cli.cwd(), options.work ?? defaultWorkDir(path)) : path;
      const bootOptions: BootOptions = {
        onStop: (stop) => cli.stderr(`osmose boot: unikernel stopped: ${stop.error.code}: ${stop.error.message}; ${stop.restartInMs === null ? 'refused, not restarted' : `restarting in ${stop.restartInMs} ms`}\n`),
        onOutput: (device, level) => {
          if (options.json !== true) cli.stdout(`${device} = ${level}\n`);
        },
      };
      if (isImage) await unpackImageOnce(path, dir);
      const gateway = options.gateway !== undefined ? parseGatewayAddress(options.gateway, '--gateway') : options.once === true ? undefined : readGatewayAddress(dir);
      const agent =
        gateway === undefined
          ? undefined
          : await BoardAgent.start({
              dir,
              gateway,
              boot: bootOptions,
              onEvent: (event) => cli.stderr(`osmose boot: update ${event.kind}${event.detail === '' ? '' : `: ${event.detail}`}\n`),
              // Each step as it happens, for a tool that must act on one (the fault tests kill the board in each).
              ...(options.json === true ? { onState: (state: string, on: string) => cli.stdout(`${JSON.stringify({ agentState: state, on })}\n`) } : {}),
            });
      const current = agent === undefined ? await bootBoard(dir, bootOptions) : undefined;
      const board = (): BootedBoard => current ?? (agent as BoardAgent).board;
      await board().settled;
      const report = async (): Promise<void> => {
        const health = await board().health();
        if (options.json === true) printJson(cli, health);
        else cli.stdout(describe(health));
      };
      if (options.once !== true) {
        await report();
        // The unikernel runs on this thread and may hold no timer or handle: keep the shim
        // alive until it is told to stop.
        const alive = setInterval(() => undefined, 2 ** 30);
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        clearInterval(alive);
      }
      await report();
      await (agent === undefined ? board().close() : agent.close());
    });
  registerLoaderCommand(program, cli);
}

function describe(health: BootHealth): string {
  const u = health.unikernel;
  const last = u.stops.at(-1);
  return [
    `${health.board} (${health.type}): slot ${health.slot ?? '-'} by row ${health.row}, image ${health.image?.slice(0, 12) ?? '-'}`,
    `  unikernel ${u.running ? 'running' : 'stopped'}, run ${u.runs}, ${u.stops.length} stops, ${u.traps} traps${last === undefined ? '' : `; last stop ${last.error.code}`}`,
    `  state: active ${health.state.active}, ${health.state.confirmed ? 'confirmed' : `on trial (boot ${health.state.bootCount} of ${health.state.bootLimit})`}`,
    '',
  ].join('\n');
}
