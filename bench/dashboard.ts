import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { writeBoardCredentialsMany } from '../image/diskImage/writeBoardCredentialsMany.js';
import { SimBuilding } from '../image/sim/SimBuilding.js';
import { OsmoseError } from '../lib/OsmoseError.js';
import { dashboardOverview } from '../ota/dashboard/dashboardOverview.js';
import { startDashboard } from '../ota/dashboard/serveDashboard.js';
import { Gateway } from '../ota/gateway/Gateway.js';
import { gatewayStatus } from '../ota/gateway/gatewayStatus.js';
import { compare } from './measure.js';
import { initCoworking } from './initCoworking.js';

const heartbeatMs = 200;
const watchSeconds = 10;

/** What one open page received over its event stream in the watch. */
export interface StreamTraffic {
  readonly bytes: number;
  readonly overviews: number;
}

export interface DashboardBench {
  readonly boards: number;
  readonly seconds: number;
  /** Every change pushed as it comes: each heartbeat's poll sends an overview (the baseline). */
  readonly everyChange: StreamTraffic;
  /** What the dashboard does: an overview when something other than heartbeats changed, else every 5 s. */
  readonly quiet: StreamTraffic;
  /** Building one overview (JSON included), against the gateway's status that `osmose status --json` reads, in ms. */
  readonly overviewMs: number;
  readonly statusMs: number;
}

function progress(text: string): void {
  process.stderr.write(`dashboard: ${text}\n`);
}

/**
 * What a dashboard page costs the gateway while a building simply runs: the coworking
 * building's boards under their update agents send heartbeats every 200 ms; one page is open
 * on each of two dashboards of the same gateway, one pushing an overview at every change (the
 * baseline) and one as the dashboard does, holding back changes that are only heartbeats.
 * Both watch the same heartbeats at the same time. Also the cost of building one overview,
 * against reading the gateway's status alone.
 */
export async function dashboardBench(): Promise<DashboardBench> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-dashboard-'));
  const root = join(parent, 'b');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    progress('making and building the coworking building');
    await initCoworking(parent, root);
    const epoch = Math.floor(Date.now() / 1000) - 60;
    await buildBuilding({ root, timestamp: epoch });
    const gateway = await Gateway.start({ root, listen: { host: '127.0.0.1', port: 0 }, heartbeatMs });
    closers.push(() => gateway.close());
    progress('booting the boards under their update agents');
    const building = await SimBuilding.start(root, {
      boardsDir: join(parent, 'boards'),
      agents: { gateway: gateway.address(), credentials: { many: (boards) => writeBoardCredentialsMany(root, boards, epoch) }, heartbeatMs },
    });
    closers.push(() => building.close());
    const boards = building.boardIds.length;
    const deadline = Date.now() + 60_000;
    while (!gateway.fleet.boards().every((board) => board.online && board.heartbeats > 1)) {
      if (Date.now() > deadline) throw new OsmoseError('bench.boards-offline', 'the boards did not all come online within a minute', { data: {} });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const everyChange = await startDashboard({ gateway, root, listen: { host: '127.0.0.1', port: 0 }, quietMs: 0 });
    closers.push(() => everyChange.close());
    const held = await startDashboard({ gateway, root, listen: { host: '127.0.0.1', port: 0 } });
    closers.push(() => held.close());

    progress(`one page open on each dashboard for ${watchSeconds} s`);
    const [baselineTraffic, quietTraffic] = await Promise.all([watch(everyChange.url, watchSeconds), watch(held.url, watchSeconds)]);

    progress('building overviews');
    const times = await compare(
      () => JSON.stringify(gatewayStatus(gateway)),
      () => JSON.stringify(dashboardOverview(gateway, false)),
      200,
      20,
    );
    const result: DashboardBench = { boards, seconds: watchSeconds, everyChange: baselineTraffic, quiet: quietTraffic, overviewMs: times.subject.median, statusMs: times.baseline.median };
    report(result);
    return result;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  }
}

/** Opens the page's event stream for `seconds` and counts what arrives after the first burst (what every page gets on opening). */
function watch(url: string, seconds: number): Promise<StreamTraffic> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let overviews = 0;
    let counting = false;
    const started = setTimeout(() => (counting = true), 500);
    const req = request(`${url}api/events`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (!counting) return;
        bytes += Buffer.byteLength(chunk);
        overviews += chunk.split('event: overview\n').length - 1;
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
    setTimeout(
      () => {
        clearTimeout(started);
        req.destroy();
        resolve({ bytes, overviews });
      },
      (seconds + 0.5) * 1000,
    );
  });
}

function report(result: DashboardBench): void {
  const rate = (traffic: StreamTraffic): string => `${(traffic.overviews / result.seconds).toFixed(2)} overviews/s, ${(traffic.bytes / result.seconds / 1024).toFixed(1)} KiB/s`;
  const heartbeats = (result.boards * 1000) / heartbeatMs;
  console.log(`dashboard: the coworking building's ${result.boards} boards under their update agents, heartbeats every ${heartbeatMs} ms (${heartbeats} a second); one page open on each of two dashboards of the same gateway for ${result.seconds} s`);
  console.log(`  baseline: an overview at every change    ${rate(result.everyChange)}`);
  console.log(`  held back while only heartbeats change   ${rate(result.quiet)}`);
  const ratio = result.quiet.bytes === 0 ? 'nothing sent' : `${(result.everyChange.bytes / result.quiet.bytes).toFixed(1)}× fewer bytes`;
  console.log(`  ${ratio} to each open page`);
  console.log(`  building one overview: ${result.overviewMs.toFixed(3)} ms, against the gateway's status alone (osmose status --json): ${result.statusMs.toFixed(3)} ms (${(result.overviewMs / result.statusMs).toFixed(1)}×)`);
}
