import { describe, expect, it } from 'vitest';
import { KernelError } from '../KernelError.js';
import { memoryChannelPair } from './memoryChannels.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('memoryChannelPair', () => {
  it('delivers each message to the other end, in order, as a copy', () => {
    const [a, b] = memoryChannelPair();
    const atB: number[][] = [];
    const atA: number[][] = [];
    b.onMessage((message) => void atB.push([...message]));
    a.onMessage((message) => void atA.push([...message]));
    const sent = bytes(1, 2, 3);
    expect(a.send(sent)).toBe('ok');
    sent[0] = 9;
    expect(a.send(bytes(4))).toBe('ok');
    expect(b.send(bytes(5))).toBe('ok');
    expect(atB).toEqual([[1, 2, 3], [4]]);
    expect(atA).toEqual([[5]]);
  });

  it('holds up to capacity messages for an end nobody listens to yet, then answers busy', () => {
    const [a, b] = memoryChannelPair({ capacity: 2 });
    expect([a.send(bytes(1)), a.send(bytes(2)), a.send(bytes(3))]).toEqual(['ok', 'ok', 'busy']);
    const atB: number[][] = [];
    const stop = b.onMessage((message) => void atB.push([...message]));
    expect(atB).toEqual([[1], [2]]);
    stop();
    expect(a.send(bytes(3))).toBe('ok');
    expect(atB).toEqual([[1], [2]]);
  });

  it('answers unavailable from both ends once either is closed', () => {
    const [a, b] = memoryChannelPair();
    const atB: number[][] = [];
    b.onMessage((message) => void atB.push([...message]));
    a.close();
    expect([a.send(bytes(1)), b.send(bytes(1))]).toEqual(['unavailable', 'unavailable']);
    expect(atB).toEqual([]);
  });

  it('refuses a message past maxMessageBytes and a bad option with a KernelError', () => {
    const [a] = memoryChannelPair({ maxMessageBytes: 2 });
    expect(a.maxMessageBytes).toBe(2);
    expect(() => a.send(bytes(1, 2, 3))).toThrow(expect.objectContaining({ code: 'kernel.channel-too-large' }));
    expect(() => memoryChannelPair({ capacity: 0 })).toThrow(KernelError);
  });
});
