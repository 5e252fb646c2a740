import { describe, expect, it } from 'vitest';
import { ByteQueue } from './ByteQueue.js';

describe('ByteQueue', () => {
  it('peeks and discards across chunks, oldest first', () => {
    const queue = new ByteQueue(16);
    queue.push(Uint8Array.of(1, 2, 3));
    queue.push(Uint8Array.of(4, 5));
    expect([...queue.peek(4)]).toEqual([1, 2, 3, 4]);
    queue.discard(2);
    expect([queue.length, ...queue.peek(99)]).toEqual([3, 3, 4, 5]);
  });

  it('drops the oldest bytes past capacity and reports how many, even for one push larger than it all', () => {
    const queue = new ByteQueue(4);
    expect(queue.push(Uint8Array.of(1, 2, 3))).toBe(0);
    expect(queue.push(Uint8Array.of(4, 5, 6))).toBe(2);
    expect([...queue.peek(4)]).toEqual([3, 4, 5, 6]);
    expect(queue.push(Uint8Array.of(7, 8, 9, 10, 11, 12))).toBe(6);
    expect([...queue.peek(4)]).toEqual([9, 10, 11, 12]);
  });

  it('keeps a copy of what was pushed', () => {
    const queue = new ByteQueue(4);
    const bytes = Uint8Array.of(1, 2);
    queue.push(bytes);
    bytes[0] = 9;
    expect([...queue.peek(2)]).toEqual([1, 2]);
  });
});
