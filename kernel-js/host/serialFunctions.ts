import type { Serial } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { ByteQueue } from './ByteQueue.js';
import { driverStatus } from './driverStatus.js';
import type { HostModule } from './HostModule.js';

const { status, event, logLevel } = abiCodes;

export interface SerialHost {
  /**
   * Every serial port of the fragment, by handle. The factory listens to each from the start,
   * so bytes that arrive before the module first reads are kept (and raised).
   */
  readonly serials: ReadonlyMap<number, Serial>;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
  /** Copies data into the module's memory at ptr; false when it does not fit. */
  write(ptr: number, data: Uint8Array): boolean;
  /** Queues an event for the module. */
  raise(kind: number, source: number, value: number): void;
  readonly log: (level: number, message: string) => void;
  /** Received bytes kept per port before the oldest are dropped; default 64 KiB. */
  readonly receiveCapacity?: number;
  /** Bytes handed to a port and not yet sent, per port, past which serial.write takes fewer; default 4 KiB. */
  readonly sendCapacity?: number;
}

interface Port {
  readonly serial: Serial;
  readonly received: ByteQueue;
  /** Bytes handed to the driver whose write has not settled yet: the send queue. */
  sending: number;
  /** Whether bytes were dropped since the module last read: logged once per overflow, not per chunk. */
  overflowing: boolean;
  stop: (() => void) | undefined;
}

/**
 * The `serial` host module over the board's Serial drivers. Received bytes wait in the host,
 * per port, and each arrival raises a Serial event with the bytes waiting; serial.read moves
 * them into the module. serial.write hands bytes to the driver at once and returns how many
 * it took: fewer (0 when full) while `sendCapacity` bytes are still being sent.
 */
export function serialFunctions(host: SerialHost): HostModule {
  const receiveCapacity = host.receiveCapacity ?? 65_536;
  const sendCapacity = host.sendCapacity ?? 4_096;
  const ports = new Map<number, Port>();
  let closed = false;

  for (const [handle, serial] of host.serials) {
    const port: Port = { serial, received: new ByteQueue(receiveCapacity), sending: 0, overflowing: false, stop: undefined };
    ports.set(handle, port);
    try {
      port.stop = serial.onData((bytes) => {
        if (closed) return;
        const dropped = port.received.push(bytes);
        if (dropped > 0 && !port.overflowing) {
          port.overflowing = true;
          host.log(logLevel.Warn, `serial ${handle}: ${port.received.capacity} received bytes wait unread; dropping the oldest until the app reads`);
        }
        host.raise(event.Serial, handle, port.received.length);
      });
    } catch (error) {
      // A port that cannot be listened to still answers reads (nothing arrives) and writes (the driver refuses).
      driverStatus(error, `listening to serial ${handle}`, host.log);
    }
  }

  return {
    functions: {
      'serial.read': (handle = 0, ptr = 0, cap = 0) => {
        const port = ports.get(handle);
        if (port === undefined || closed) return status.BadHandle;
        if (!Number.isInteger(cap) || cap < 0) return status.BadArgument;
        const data = port.received.peek(cap);
        if (!host.write(ptr, data)) return status.BadArgument;
        port.received.discard(data.length);
        port.overflowing = false;
        return data.length;
      },
      'serial.write': (handle = 0, ptr = 0, len = 0) => {
        const port = ports.get(handle);
        if (port === undefined || closed) return status.BadHandle;
        if (!Number.isInteger(len) || len < 0) return status.BadArgument;
        const data = host.bytes(ptr, len);
        if (data === undefined) return status.BadArgument;
        const taken = data.subarray(0, Math.max(0, sendCapacity - port.sending));
        if (taken.length === 0) return 0;
        let sent: Promise<void>;
        try {
          sent = port.serial.write(taken);
        } catch (error) {
          return driverStatus(error, `serial ${handle} write`, host.log);
        }
        port.sending += taken.length;
        // The module has its answer already: a write that fails later can only be logged.
        void sent.then(
          () => {
            port.sending -= taken.length;
          },
          (error: unknown) => {
            port.sending -= taken.length;
            host.log(logLevel.Error, `serial ${handle}: ${taken.length} bytes were not sent: ${error instanceof Error ? error.message : String(error)}`);
          },
        );
        return taken.length;
      },
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const port of ports.values()) {
        port.stop?.();
        port.received.clear();
      }
    },
  };
}
