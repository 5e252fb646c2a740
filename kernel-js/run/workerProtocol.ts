import type { OsmoseErrorJson } from '../../lib/OsmoseError.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import type { KernelRect } from '../host/KernelDevices.js';

/** What the watchdog gives the worker when it starts a unikernel. */
export interface WorkerStart {
  readonly config: KernelBoardConfig;
  readonly modules: readonly (readonly [app: string, bytes: Uint8Array])[];
  readonly memoryPages: number;
  /** Int32Array view: [0] 1 while an event runs, [1] events begun so far. */
  readonly heartbeat: SharedArrayBuffer;
  /** Int32Array view: the level of each device of config.devices, in its key order (sharedLevelDevices). */
  readonly levels: SharedArrayBuffer;
}

export type ToWorker = { readonly type: 'input'; readonly device: string; readonly level: number };

/** A drawing call on a display, carried to its driver on the main thread. */
export type DisplayCommand =
  | { readonly op: 'fill'; readonly rect: KernelRect; readonly color: number }
  | { readonly op: 'blit'; readonly rect: KernelRect; readonly pixels: Uint8Array }
  | { readonly op: 'flush' };

export type FromWorker =
  | { readonly type: 'display'; readonly device: string; readonly command: DisplayCommand }
  | { readonly type: 'ready' }
  | { readonly type: 'output'; readonly device: string; readonly level: number }
  | { readonly type: 'log'; readonly instance: string; readonly level: number; readonly message: string }
  | { readonly type: 'trap'; readonly instance: string; readonly message: string }
  | { readonly type: 'stop'; readonly error: OsmoseErrorJson };

export const heartbeatBusy = 0;
export const heartbeatCount = 1;
