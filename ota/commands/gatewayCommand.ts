import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { parseGatewayAddress } from '../../kernel-js/agent/agentCredentials.js';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { startGateway } from '../gateway/startGateway.js';

/** The gateway's default port: where boards made with `osmose image --gateway` are told to dial unless told otherwise. */
export const defaultGatewayListen = '0.0.0.0:7443';

/** `osmose gateway [--listen HOST:PORT]`: the building's gateway, until interrupted. */
export function registerGatewayCommand(program: Command, cli: CliContext): void {
  program
    .command('gateway')
    .description("run the building's gateway until interrupted: the signed update images over HTTPS with Range, and the boards' control plane (Cap'n Proto RPC), both on one mutually authenticated TLS 1.3 port; rollouts run here")
    .option('--listen <host:port>', 'where boards connect', defaultGatewayListen)
    .option('--heartbeat <ms>', 'how often boards send heartbeats, in milliseconds', '1000')
    .option('--idle-heartbeat <ms>', 'how often boards that are not on trial send heartbeats (default: --heartbeat); a large building takes less control traffic at 5000')
    .option('--json', 'print events as JSON lines')
    .action(async (options: { listen: string; heartbeat: string; idleHeartbeat?: string; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const listen = parseGatewayAddress(options.listen, '--listen', true);
      const heartbeatMs = Number(options.heartbeat);
      const running = await startGateway(cli, root, { listen, heartbeatMs, ...(options.idleHeartbeat === undefined ? {} : { idleHeartbeatMs: Number(options.idleHeartbeat) }), json: options.json === true, heartbeatOption: options.heartbeat });
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await running.close();
    });
}
