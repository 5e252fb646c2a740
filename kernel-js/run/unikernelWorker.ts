// The worker the watchdog runs a unikernel in, so that a handler that never returns can be
// ended with worker.terminate() without taking the shim down.
import { parentPort, workerData } from 'node:worker_threads';
import { isOsmoseError, OsmoseError } from '../../lib/OsmoseError.js';
import type { KernelDevices } from '../host/KernelDevices.js';
import { postedDisplays } from '../host/postedDisplays.js';
import { sharedLevelDevices } from '../host/sharedLevelDevices.js';
import { Unikernel } from './Unikernel.js';
import { heartbeatBusy, heartbeatCount, type FromWorker, type ToWorker, type WorkerStart } from './workerProtocol.js';

const start = workerData as WorkerStart;
const port = parentPort;
const post = (message: FromWorker): void => port?.postMessage(message);
const heartbeat = new Int32Array(start.heartbeat);

const levels = sharedLevelDevices(start.config.devices, new Int32Array(start.levels), (device, level) => post({ type: 'output', device, level }));
const devices: KernelDevices = { digital: (device) => levels.digital(device), display: postedDisplays(start.config.devices, (device, command) => post({ type: 'display', device, command })) };
const kernel = new Unikernel({
  config: start.config,
  modules: new Map(start.modules),
  devices,
  memoryPages: start.memoryPages,
  log: (instance, level, message) => post({ type: 'log', instance, level, message }),
  trap: (instance, message) => post({ type: 'trap', instance, message }),
  beforeEvent: () => {
    Atomics.add(heartbeat, heartbeatCount, 1);
    Atomics.store(heartbeat, heartbeatBusy, 1);
  },
  afterEvent: () => Atomics.store(heartbeat, heartbeatBusy, 0),
});

function stop(error: unknown): void {
  const typed = isOsmoseError(error) ? error : new OsmoseError('kernel.internal', error instanceof Error ? error.message : String(error));
  kernel.close();
  post({ type: 'stop', error: typed.toJSON() });
  port?.close();
}

// A timer's event can stop the unikernel too (memory past the limit): it surfaces here.
process.on('uncaughtException', stop);

try {
  kernel.boot();
  post({ type: 'ready' });
  port?.on('message', (message: ToWorker) => {
    try {
      // The main thread stored the level in the shared levels before posting the edge.
      kernel.input(message.device, message.level);
    } catch (error) {
      stop(error);
    }
  });
} catch (error) {
  stop(error);
}
