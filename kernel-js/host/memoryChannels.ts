import { KernelError } from '../KernelError.js';
import type { ChannelSendResult, KernelChannel } from './KernelChannels.js';

export interface MemoryChannelOptions {
  /** The largest message, in bytes; default 1024. */
  readonly maxMessageBytes?: number;
  /** Messages kept for an end that nobody listens to yet; past it, send answers busy. Default 16. */
  readonly capacity?: number;
}

/** One end of an in-memory circuit. */
export interface MemoryChannel extends KernelChannel {
  /** Cuts the circuit at this end: later sends from either end answer unavailable, and nothing more arrives here. */
  close(): void;
}

/**
 * Two ends of a circuit in one process, for the simulator (two boards' hosts, each given one
 * end) and tests. A message is delivered to the other end's listeners within send, in order.
 * While the other end has no listener yet (its board has not opened the channel), up to
 * `capacity` messages wait for it and are delivered when it starts listening; past that,
 * send answers busy, as a full stream would.
 */
export function memoryChannelPair(options: MemoryChannelOptions = {}): [MemoryChannel, MemoryChannel] {
  const maxMessageBytes = options.maxMessageBytes ?? 1024;
  const capacity = options.capacity ?? 16;
  for (const [name, value] of [['maxMessageBytes', maxMessageBytes], ['capacity', capacity]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new KernelError('kernel.channel-option', `a memory channel's ${name} is a whole number from 1, not ${value}`, { data: { [name]: value } });
    }
  }
  const listeners: [Set<(message: Uint8Array) => void>, Set<(message: Uint8Array) => void>] = [new Set(), new Set()];
  // Messages waiting for each end (index: the receiving end) until it listens.
  const waiting: [Uint8Array[], Uint8Array[]] = [[], []];
  let cut = false;

  const deliver = (to: 0 | 1, message: Uint8Array): void => {
    // Each listener gets its own copy: a host keeps what it is given.
    for (const listener of [...listeners[to]]) listener(Uint8Array.from(message));
  };

  const end = (self: 0 | 1): MemoryChannel => {
    const other = self === 0 ? 1 : 0;
    return {
      maxMessageBytes,
      send(message): ChannelSendResult {
        if (message.length > maxMessageBytes) {
          throw new KernelError('kernel.channel-too-large', `a ${message.length}-byte message is larger than this circuit's ${maxMessageBytes} bytes`, {
            hint: 'the host answers TooLarge before sending; check maxMessageBytes first',
            data: { length: message.length, maxMessageBytes },
          });
        }
        if (cut) return 'unavailable';
        if (listeners[other].size > 0) {
          deliver(other, message);
          return 'ok';
        }
        if (waiting[other].length >= capacity) return 'busy';
        waiting[other].push(Uint8Array.from(message));
        return 'ok';
      },
      onMessage(listener) {
        listeners[self].add(listener);
        if (!cut) {
          const queued = waiting[self].splice(0);
          for (const message of queued) deliver(self, message);
        }
        return () => {
          listeners[self].delete(listener);
        };
      },
      close() {
        cut = true;
        listeners[self].clear();
        waiting[0].length = 0;
        waiting[1].length = 0;
      },
    };
  };
  return [end(0), end(1)];
}
