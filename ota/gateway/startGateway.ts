import type { CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { GatewayAddress } from '../../kernel-js/agent/agentCredentials.js';
import { startDashboard, type RunningDashboard } from '../dashboard/serveDashboard.js';
import { operatorSecretFile } from '../dashboard/OperatorSessions.js';
import { Gateway } from './Gateway.js';
import { gatewayControlSocket, serveGatewayControl } from './gatewayControlServer.js';

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly socket: string;
  /** The dashboard, when asked for (`--dashboard HOST:PORT`). */
  readonly dashboard: RunningDashboard | undefined;
  close(): Promise<void>;
}

/**
 * Starts the building's gateway with its control socket, logging what happens to the CLI's
 * streams (JSON lines with `json`): what `osmose gateway` and `osmose sim --listen` run.
 */
export async function startGateway(cli: CliContext, root: string, options: { readonly listen: GatewayAddress; readonly heartbeatMs: number; readonly idleHeartbeatMs?: number; readonly json: boolean; readonly heartbeatOption?: string; readonly dashboard?: GatewayAddress }): Promise<RunningGateway> {
  if (!Number.isInteger(options.heartbeatMs) || options.heartbeatMs < 10 || options.heartbeatMs > 600_000) {
    throw new InputError('gateway.bad-heartbeat', `--heartbeat ${options.heartbeatOption ?? options.heartbeatMs}: heartbeats come every 10 to 600000 milliseconds`, { hint: '--heartbeat 1000', data: { value: options.heartbeatOption } });
  }
  const idle = options.idleHeartbeatMs;
  if (idle !== undefined && (!Number.isInteger(idle) || idle < options.heartbeatMs || idle > 600_000)) {
    throw new InputError('gateway.bad-heartbeat', `--idle-heartbeat ${idle}: settled boards beat every --heartbeat (${options.heartbeatMs}) to 600000 milliseconds`, { hint: '--idle-heartbeat 5000', data: { value: idle } });
  }
  const say = (value: Record<string, unknown>, text: string): void => (options.json ? cli.stdout(`${JSON.stringify(value)}\n`) : cli.stderr(text));
  const gateway = await Gateway.start({
    root,
    listen: options.listen,
    heartbeatMs: options.heartbeatMs,
    ...(idle === undefined ? {} : { idleHeartbeatMs: idle }),
    onLog: (line) => say({ event: 'log', message: line }, `gateway: ${line}\n`),
    onEvent: (board, event) => {
      if (event.kind === 'downloading' || event.kind === 'accepted') return;
      say({ event: 'board', board, ...event }, `gateway: ${board} ${event.kind}${event.detail === '' ? '' : `: ${event.detail}`}\n`);
    },
  });
  const socket = gatewayControlSocket(root);
  let server;
  try {
    server = await serveGatewayControl(gateway, socket);
  } catch (error) {
    await gateway.close();
    throw error;
  }
  let dashboard: RunningDashboard | undefined;
  if (options.dashboard !== undefined) {
    try {
      dashboard = await startDashboard({ gateway, root, listen: options.dashboard });
    } catch (error) {
      await new Promise<void>((done) => server.close(() => done()));
      await gateway.close();
      throw error;
    }
    const credential = operatorSecretFile(root);
    say({ event: 'dashboard', url: dashboard.url, credential }, `dashboard on ${dashboard.url} (the operator signs in with the credential in ${credential})\n`);
  }
  const address = gateway.address();
  say(
    { event: 'gateway', host: address.host, port: address.port, build: gateway.fleet.build.commit, socket, rollout: gateway.fleet.rollout?.spec.id ?? null },
    `gateway listening on ${address.host}:${address.port} (build ${gateway.fleet.build.commit.slice(0, 12)}); control socket ${socket}\n`,
  );
  return {
    gateway,
    socket,
    dashboard,
    close: async () => {
      await dashboard?.close();
      await new Promise<void>((done) => server.close(() => done()));
      await gateway.close();
    },
  };
}
