import { benchBoot } from './boot/benchBoot.js';
import { benchBuild } from './build.js';
import { dashboardBench } from './dashboard.js';
import { failoverBench } from './failover.js';
import { benchFlash } from './flash/benchFlash.js';
import { heartbeatBench } from './heartbeats.js';
import { benchLatency } from './latency.js';
import { presenceBench } from './presence.js';
import { rolloutBench } from './rollout.js';
import { streamsBench } from './streams.js';
import { benchValidate } from './validate.js';

// Every benchmark, one after another, so they do not compete for the two cores; or only those
// named (`node dist/bench/run.js rollout heartbeats`). Those that answer their figures print
// them too; only the printing matters here.
const benches: Readonly<Record<string, () => Promise<unknown>>> = {
  validate: benchValidate,
  build: benchBuild,
  boot: benchBoot,
  flash: benchFlash,
  heartbeats: heartbeatBench,
  rollout: rolloutBench,
  streams: streamsBench,
  latency: benchLatency,
  failover: failoverBench,
  presence: presenceBench,
  dashboard: dashboardBench,
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`no benchmark ${unknown.join(', ')}; there are ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
for (const [name, bench] of Object.entries(benches)) if (asked.length === 0 || asked.includes(name)) await bench();
