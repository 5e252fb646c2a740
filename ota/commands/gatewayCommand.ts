import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { parseGatewayAddress } from '../../kernel-js/agent/agentCredentials.js';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { startGateway } from '../gateway/startGateway.js';
import { parseLostAfter } from '../scheduler/parseLostAfter.js';
import { Scheduler } from '../scheduler/Scheduler.js';

/** The gateway's default port: where boards made with `osmose image --gateway` are told to dial unless told otherwise. */
export const defaultGatewayListen = '0.0.0.0:7443';

/**
 * `osmose gateway [--listen HOST:PORT] [--lost-after N] [--watch] [--dashboard HOST:PORT]`: the
 * building's gateway, until interrupted; with `--lost-after` or `--watch`, its scheduler too
 * (docs/scheduler.md); with `--dashboard`, its web page (docs/dashboard.md).
 */
export function registerGatewayCommand(program: Command, cli: CliContext): void {
  program
    .command('gateway')
    .description("run the building's gateway until interrupted: the signed update images over HTTPS with Range, and the boards' control plane (Cap'n Proto RPC), both on one mutually authenticated TLS 1.3 port; rollouts run here")
    .option('--listen <host:port>', 'where boards connect', defaultGatewayListen)
    .option('--heartbeat <ms>', 'how often boards send heartbeats, in milliseconds', '1000')
    .option('--idle-heartbeat <ms>', 'how often boards that are not on trial send heartbeats (default: --heartbeat); a large building takes less control traffic at 5000')
    .option('--lost-after <n>', 'fail over: a board that sends no heartbeat for N of its intervals (or whose connection drops and does not come back within them) is recorded down, and what it ran moves to a spare of its space, built and rolled out at once')
    .option('--watch', 'build and roll out again, to the boards whose image changes, when building.yaml, the policies or an app change on disk')
    .option('--dashboard <host:port>', "also serve the building's dashboard, a web page, on this address (127.0.0.1:8080; the port 0 picks a free one)")
    .option('--json', 'print events as JSON lines')
    .action(async (options: { listen: string; heartbeat: string; idleHeartbeat?: string; lostAfter?: string; watch?: boolean; dashboard?: string; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const listen = parseGatewayAddress(options.listen, '--listen', true);
      const heartbeatMs = Number(options.heartbeat);
      const lostAfter = options.lostAfter === undefined ? undefined : parseLostAfter(options.lostAfter);
      const idleHeartbeatMs = options.idleHeartbeat === undefined ? undefined : Number(options.idleHeartbeat);
      const json = options.json === true;
      const dashboard = options.dashboard === undefined ? undefined : parseGatewayAddress(options.dashboard, '--dashboard', true);
      const running = await startGateway(cli, root, { listen, heartbeatMs, ...(idleHeartbeatMs === undefined ? {} : { idleHeartbeatMs }), json, heartbeatOption: options.heartbeat, ...(dashboard === undefined ? {} : { dashboard }) });
      let scheduler: Scheduler | undefined;
      if (lostAfter !== undefined || options.watch === true) {
        scheduler = await Scheduler.start({
          root,
          fleet: running.gateway.fleet,
          heartbeatMs,
          ...(idleHeartbeatMs === undefined ? {} : { idleHeartbeatMs }),
          ...(lostAfter === undefined ? {} : { lostAfter }),
          watch: options.watch === true,
          onLog: (line) => (json ? cli.stdout(`${JSON.stringify({ event: 'log', message: line })}\n`) : cli.stderr(`gateway: ${line}\n`)),
          ...(json ? { onRecord: (record) => cli.stdout(`${JSON.stringify({ event: 'reschedule', ...record })}\n`) } : {}),
        });
      }
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await scheduler?.close();
      await running.close();
    });
}
