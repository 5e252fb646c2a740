import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { writeBoardCredentialsMany } from '../../image/diskImage/writeBoardCredentialsMany.js';
import { runSimulator } from '../../image/commands/simCommands.js';
import { parseGatewayAddress, type GatewayAddress } from '../../kernel-js/agent/agentCredentials.js';
import type { CliContext } from '../../lib/cli/CliContext.js';
import type { Gateway } from '../gateway/Gateway.js';
import { pseudonymOfVisit } from '../gateway/peopleRoute.js';
import { startGateway } from '../gateway/startGateway.js';
import type { SimBuilding } from '../../image/sim/SimBuilding.js';
import type { SimJournal } from '../../image/sim/SimJournal.js';
import { InputError } from '../../lib/OsmoseError.js';
import { simDashboardDevices } from '../dashboard/DashboardDevices.js';

/**
 * Gives `osmose sim` (image/) the gateway: `--listen HOST:PORT` runs the building's gateway in
 * the same process and every simulated board under its update agent, connected to it, so one
 * command runs a whole building that takes rollouts; `--gateway HOST:PORT` connects the boards
 * to a gateway already running. The simulator itself stays image/'s; this layer only adds
 * what it cannot import.
 */
export function addSimGatewayOptions(program: Command, cli: CliContext): void {
  const sim = program.commands.find((command) => command.name() === 'sim');
  if (sim === undefined) return;
  sim
    .option('--listen <host:port>', "also run the building's gateway here, and every board under its update agent connected to it")
    .option('--gateway <host:port>', "run every board under its update agent, connected to this running gateway")
    .option('--heartbeat <ms>', 'with --listen: how often boards send heartbeats, in milliseconds', '1000')
    .option('--dashboard <host:port>', "with --listen: also serve the building's dashboard here, with the simulated devices (127.0.0.1:8080; the port 0 picks a free one)")
    .action(async (options: { json?: boolean; listen?: string; gateway?: string; heartbeat: string; dashboard?: string }) => {
      const json = options.json === true;
      if (options.dashboard !== undefined && options.listen === undefined) {
        throw new InputError('sim.dashboard-without-gateway', '--dashboard is served by the gateway: give --listen HOST:PORT too', { hint: 'osmose sim --listen 127.0.0.1:0 --dashboard 127.0.0.1:8080', data: {} });
      }
      if (options.listen === undefined && options.gateway === undefined) return runSimulator(cli, json);
      const root = findBuildingRoot(cli.cwd());
      let connectTo: GatewayAddress;
      let close: (() => Promise<void>) | undefined;
      let banner = '';
      let journal: ((journal: SimJournal) => void) | undefined;
      let building: ((building: SimBuilding) => void) | undefined;
      if (options.listen !== undefined) {
        const dashboard = options.dashboard === undefined ? undefined : parseGatewayAddress(options.dashboard, '--dashboard', true);
        const running = await startGateway(cli, root, { listen: parseGatewayAddress(options.listen, '--listen', true), heartbeatMs: Number(options.heartbeat), json, heartbeatOption: options.heartbeat, ...(dashboard === undefined ? {} : { dashboard }) });
        const address = running.gateway.address();
        connectTo = { host: address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host, port: address.port };
        close = () => running.close();
        journal = (simJournal) => journalPresence(running.gateway, simJournal);
        building = (simBuilding) => running.dashboard?.attachDevices(simDashboardDevices(simBuilding));
        banner = `gateway on ${address.host}:${address.port}: osmose rollout, osmose status\n`;
      } else {
        connectTo = parseGatewayAddress(options.gateway ?? '', '--gateway');
      }
      const epoch = Math.floor(Date.now() / 1000);
      await runSimulator(cli, json, {
        agents: { gateway: connectTo, credentials: { many: (boards) => writeBoardCredentialsMany(root, boards, epoch) } },
        banner,
        ...(close === undefined ? {} : { close }),
        ...(journal === undefined ? {} : { journal }),
        ...(building === undefined ? {} : { building }),
      });
    });
}

/**
 * Journals every presence change the gateway hears, in every space that holds a board, with
 * the person's pseudonym when the entrance admitted them: the causes `osmose sim timeline`
 * measures the rooms' answers from.
 */
function journalPresence(gateway: Gateway, journal: SimJournal): void {
  const spaces = new Set(gateway.fleet.build.plan.boards.flatMap((board) => board.space));
  for (const space of spaces) {
    gateway.presence.watch(space, (change) => {
      const { handle } = change.person;
      journal.record({
        kind: 'presence',
        space,
        person: handle,
        who: pseudonymOfVisit(gateway, handle) ?? `person ${handle}`,
        change: change.coming === true ? (change.arrived ? 'expected' : 'unexpected') : change.arrived ? 'arrived' : 'left',
      });
    });
  }
}
