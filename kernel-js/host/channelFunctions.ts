import { abiCodes } from './abiCodes.js';
import { decodeUtf8 } from './decodeUtf8.js';
import { driverStatus } from './driverStatus.js';
import type { HostModule } from './HostModule.js';
import type { ChannelSendResult, KernelChannel, KernelChannels } from './KernelChannels.js';

const { status, event, logLevel } = abiCodes;

const sendStatus: Record<ChannelSendResult, number> = { ok: status.Ok, busy: status.Busy, unavailable: status.Unavailable };

export interface ChannelHost {
  /** The board's circuits by name. */
  readonly channels: KernelChannels;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
  /** Copies data into the module's memory at ptr; false when it does not fit. */
  write(ptr: number, data: Uint8Array): boolean;
  /** Queues an event for the module. */
  raise(kind: number, source: number, value: number): void;
  readonly log: (level: number, message: string) => void;
  /** Messages kept per channel for the module before the oldest is dropped; default 64. */
  readonly queueCapacity?: number;
}

interface OpenChannel {
  readonly name: string;
  readonly channel: KernelChannel;
  /** Messages waiting for channel.receive, oldest first. */
  readonly waiting: Uint8Array[];
  /** Whether messages were dropped since the module last received one: logged once per overflow. */
  overflowing: boolean;
  stop: () => void;
}

/**
 * The `channel` host module over the board's circuits. channel.open gives each circuit name a
 * handle of this instance (1, 2, …; the same handle when a name is opened again) and starts
 * listening: each message that arrives waits in the host and raises a Message event with the
 * length of the oldest waiting message. Past `queueCapacity` waiting messages the oldest is
 * dropped, with one warning, so an app that never receives costs bounded memory.
 */
export function channelFunctions(host: ChannelHost): HostModule {
  const queueCapacity = host.queueCapacity ?? 64;
  const open = new Map<number, OpenChannel>();
  const byName = new Map<string, number>();
  let nextHandle = 1;
  let closed = false;

  return {
    functions: {
      'channel.open': (ptr = 0, len = 0) => {
        if (closed) return status.Unavailable;
        const bytes = host.bytes(ptr, len);
        const name = bytes === undefined ? undefined : decodeUtf8(bytes);
        if (name === undefined) return status.BadArgument;
        const known = byName.get(name);
        if (known !== undefined) return known;
        const channel = host.channels.open(name);
        if (channel === undefined) return status.NotFound;
        const handle = nextHandle++;
        const entry: OpenChannel = { name, channel, waiting: [], overflowing: false, stop: () => undefined };
        // Registered before listening: a circuit may deliver what waited for it at once.
        open.set(handle, entry);
        byName.set(name, handle);
        try {
          entry.stop = channel.onMessage((message) => {
            if (closed) return;
            entry.waiting.push(message);
            if (entry.waiting.length > queueCapacity) {
              entry.waiting.shift();
              if (!entry.overflowing) {
                entry.overflowing = true;
                host.log(logLevel.Warn, `channel ${name}: ${queueCapacity} messages wait unreceived; dropping the oldest until the app receives`);
              }
            }
            host.raise(event.Message, handle, entry.waiting[0]?.length ?? 0);
          });
        } catch (error) {
          open.delete(handle);
          byName.delete(name);
          return driverStatus(error, `listening to channel ${name}`, host.log);
        }
        return handle;
      },
      'channel.send': (handle = 0, ptr = 0, len = 0) => {
        const entry = open.get(handle);
        if (entry === undefined) return status.BadHandle;
        if (!Number.isInteger(len) || len < 0) return status.BadArgument;
        if (len > entry.channel.maxMessageBytes) return status.TooLarge;
        const data = host.bytes(ptr, len);
        if (data === undefined) return status.BadArgument;
        try {
          // A circuit answering something else is a fault of the circuit, not success.
          return sendStatus[entry.channel.send(data)] ?? status.Failed;
        } catch (error) {
          return driverStatus(error, `sending on channel ${entry.name}`, host.log);
        }
      },
      'channel.receive': (handle = 0, ptr = 0, cap = 0) => {
        const entry = open.get(handle);
        if (entry === undefined) return status.BadHandle;
        if (!Number.isInteger(cap) || cap < 0) return status.BadArgument;
        const oldest = entry.waiting[0];
        if (oldest === undefined) return status.NotFound;
        // Too small a buffer measures the message and leaves it waiting (docs/abi.md).
        if (oldest.length > cap) return oldest.length;
        if (!host.write(ptr, oldest)) return status.BadArgument;
        entry.waiting.shift();
        entry.overflowing = false;
        return oldest.length;
      },
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const entry of open.values()) {
        entry.stop();
        entry.waiting.length = 0;
      }
      open.clear();
      byName.clear();
    },
  };
}
