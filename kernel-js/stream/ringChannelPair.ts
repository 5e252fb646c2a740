import { KernelError } from '../KernelError.js';
import type { RingChannelEnd } from './RingChannel.js';
import { SharedRing } from './SharedRing.js';

export interface RingChannelPairOptions {
  /** Bytes of each ring's data area, a power of two; default 256 KiB (16 ms of 16 kHz 4-channel 16-bit audio is 2 KiB). */
  readonly capacity?: number;
  /** The largest message, in bytes; default 64 KiB, at most the capacity less 4. */
  readonly maxMessageBytes?: number;
}

/**
 * The two ends of an in-board stream circuit: two rings, one each way, each end writing into
 * the ring the other reads. The ends are plain data: give one to each fragment's thread and
 * make a RingChannel of it there.
 */
export function ringChannelPair(options: RingChannelPairOptions = {}): [RingChannelEnd, RingChannelEnd] {
  const capacity = options.capacity ?? 256 * 1024;
  const maxMessageBytes = options.maxMessageBytes ?? Math.min(64 * 1024, capacity - 4);
  const aToB = SharedRing.create(capacity);
  const bToA = SharedRing.create(capacity);
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes > aToB.maxRecordBytes) {
    throw new KernelError('stream.channel-option', `a ring channel's maxMessageBytes is a whole number from 1 to ${aToB.maxRecordBytes} for a ${capacity}-byte ring, not ${maxMessageBytes}`, {
      hint: 'make the ring larger than the largest message, by 4 bytes at least',
      data: { maxMessageBytes, capacity },
    });
  }
  return [
    { send: aToB.buffer, receive: bToA.buffer, maxMessageBytes },
    { send: bToA.buffer, receive: aToB.buffer, maxMessageBytes },
  ];
}
